use leptos::prelude::*;

use crate::{components::error_message::ErrorMessage, error::AppError};

/// A create-or-edit form in a card: its heading, an error that is not about one field, the
/// fields, then Create (or Save) and Cancel; Escape cancels too. `footer` follows the buttons.
#[component]
pub fn FormCard(
    heading: String,
    editing_existing: bool,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(into)] on_submit: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
    children: Children,
    #[prop(optional)] footer: Option<Children>,
    /// Instead of Create / Save.
    #[prop(optional)]
    submit_label: Option<&'static str>,
) -> impl IntoView {
    let submit_label = submit_label.unwrap_or(if editing_existing { "Save" } else { "Create" });
    view! {
        <form
            class="card config-form"
            on:submit=move |ev| {
                ev.prevent_default();
                on_submit.run(());
            }
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    on_cancel.run(());
                }
            }
            novalidate
        >
            <h2>{heading}</h2>
            {move || error.get().filter(|e| !e.is_about_fields()).map(|error| view! { <ErrorMessage error/> })}
            {children()}
            <div class="form-actions">
                <button type="submit" class="primary" disabled=pending>{submit_label}</button>
                <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
            {footer.map(|footer| footer())}
        </form>
    }
}
