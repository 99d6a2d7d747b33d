use leptos::prelude::*;

use crate::error::AppError;

/// What went wrong, announced to screen readers, and what to do about it.
#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    let hint = (!error.hint.is_empty()).then(|| view! { <p class="error-hint">{error.hint.clone()}</p> });
    view! {
        <div class="error-message" data-code=error.code.as_str()>
            <p class="error" role="alert">{error.message.clone()}</p>
            {hint}
        </div>
    }
}
