//! UI pieces every page uses.
pub mod column_heads;
pub mod confirm_button;
pub mod connection_report;
pub mod copy_button;
pub mod crud;
pub mod error_message;
pub mod field;
pub mod form_card;
pub mod loading;
pub mod pager;
pub mod pickers;
pub mod row_actions;
pub mod server_form;
pub mod timestamp;
pub mod used_by;
pub mod warning_list;
