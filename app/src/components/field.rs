use leptos::prelude::*;

/// A labelled form field with the server's message for it beneath; the input is the child and
/// should carry `aria-describedby="<id>-error"`.
#[component]
pub fn Field(
    id: &'static str,
    label: &'static str,
    error: Signal<Option<String>>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {children()}
            <p class="field-error" id=format!("{id}-error") role="alert">{move || error.get()}</p>
        </div>
    }
}
