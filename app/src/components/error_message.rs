use leptos::prelude::*;

use vocabulary::dto::deployments::SecretFailure;

use crate::error::AppError;

/// What went wrong, announced to screen readers, and what to do about it.
#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    let hint = (!error.hint.is_empty()).then(|| view! { <p class="error-hint">{error.hint.clone()}</p> });
    let failures = (!error.failures.is_empty()).then(|| view! { <SecretFailures failures=error.failures.clone()/> });
    view! {
        <div class="error-message" data-code=error.code.as_str()>
            <p class="error" role="alert">{error.message.clone()}</p>
            {failures}
            {hint}
        </div>
    }
}

/// Secrets that could not be read: each variable, what AWS said, and what to do.
#[component]
pub fn SecretFailures(failures: Vec<SecretFailure>) -> impl IntoView {
    view! {
        <ul class="secret-failures">
            {failures
                .into_iter()
                .map(|f| view! {
                    <li data-variable=f.variable.clone()>
                        <code>{f.variable.clone()}</code>
                        <span class="muted">{format!(" secret {} through {}", f.secret, f.credential)}</span>
                        {f.code.map(|code| view! { " " <code class="aws-code">{code}</code> })}
                        <p>{f.message}</p>
                        <p class="error-hint">{f.hint}</p>
                    </li>
                })
                .collect_view()}
        </ul>
    }
}
