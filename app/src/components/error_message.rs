use leptos::prelude::*;

use crate::error::AppError;

/// An error the user can act on, announced to screen readers.
#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    view! { <p class="error" role="alert">{error.to_string()}</p> }
}
