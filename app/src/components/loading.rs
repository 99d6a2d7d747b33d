use leptos::prelude::*;

/// Shown while data loads, announced politely to screen readers.
#[component]
pub fn Loading(#[prop(default = "Loading…")] text: &'static str) -> impl IntoView {
    view! { <p class="loading" role="status">{text}</p> }
}
