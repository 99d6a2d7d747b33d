pub mod copy_button;
pub mod error_message;
