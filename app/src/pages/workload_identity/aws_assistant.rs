//! **Set up in AWS** and **Diagnose** on a Workload Identity config: the IAM credentials of
//! someone allowed to manage IAM, typed for this one request (the server never stores, logs or
//! returns them), then a plan to review and apply, or the list of what differs from what this
//! organization needs.
use leptos::prelude::*;
use vocabulary::{
    dto::workload_identity::{FindingSeverity, IamProblem},
    ids::WorkloadIdentityConfigId,
};

use super::{api, trust_for::TrustForSelect};
use crate::components::{connection_report::ConnectionReport, error_message::ErrorMessage};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    SetUp,
    Diagnose,
}

/// The three fields, kept in this panel only.
#[derive(Clone, Copy)]
struct Keys {
    access_key_id: RwSignal<String>,
    secret_access_key: RwSignal<String>,
    session_token: RwSignal<String>,
}

#[component]
pub fn AwsAssistant(id: WorkloadIdentityConfigId, mode: Mode) -> impl IntoView {
    let keys = Keys {
        access_key_id: RwSignal::new(String::new()),
        secret_access_key: RwSignal::new(String::new()),
        session_token: RwSignal::new(String::new()),
    };
    let runs_of = RwSignal::new(None);
    let setup = ServerAction::<api::SetUpInAws>::new();
    let diagnose = ServerAction::<api::DiagnoseInAws>::new();
    let prefix = format!("iam-{id}");
    let field = move |suffix: &str, label: &'static str, signal: RwSignal<String>, secret: bool| {
        let input_id = format!("{prefix}-{suffix}");
        view! {
            <div class="field">
                <label for=input_id.clone()>{label}</label>
                <input id=input_id type=if secret { "password" } else { "text" } autocomplete="off" spellcheck="false"
                    prop:value=move || signal.get() on:input=move |ev| signal.set(event_target_value(&ev))/>
            </div>
        }
    };
    let setup_request = move |apply: bool| api::SetUpInAws {
        id,
        access_key_id: keys.access_key_id.get_untracked(),
        secret_access_key: keys.secret_access_key.get_untracked(),
        session_token: keys.session_token.get_untracked(),
        runs_of: runs_of.get_untracked(),
        apply,
    };
    let heading = match mode {
        Mode::SetUp => "Set up in AWS",
        Mode::Diagnose => "Diagnose in AWS",
    };
    let pending = move || setup.pending().get() || diagnose.pending().get();
    view! {
        <div class="aws-assistant" role="region" aria-label=heading>
            <h3>{heading}</h3>
            <p class="field-note">
                "Temporary credentials of someone who may manage IAM in the role's account (aws sts get-session-token, or your SSO portal). They are used for this request only: never stored, logged or shown again."
            </p>
            <TrustForSelect id=format!("iam-{id}-trust-for") chosen=runs_of/>
            {field("key", "Access Key ID", keys.access_key_id, false)}
            {field("secret", "Secret Access Key", keys.secret_access_key, true)}
            {field("token", "Session Token", keys.session_token, true)}
            <div class="section-actions">
                {match mode {
                    Mode::SetUp => view! {
                        <button type="button" class="primary" disabled=pending on:click=move |_| { setup.dispatch(setup_request(false)); }>
                            "Review plan"
                        </button>
                    }.into_any(),
                    Mode::Diagnose => view! {
                        <button type="button" class="primary" disabled=pending on:click=move |_| {
                            diagnose.dispatch(api::DiagnoseInAws {
                                id,
                                access_key_id: keys.access_key_id.get_untracked(),
                                secret_access_key: keys.secret_access_key.get_untracked(),
                                session_token: keys.session_token.get_untracked(),
                                runs_of: runs_of.get_untracked(),
                            });
                        }>"Diagnose"</button>
                    }.into_any(),
                }}
                {move || pending().then(|| view! { <span role="status" class="muted">"Asking IAM…"</span> })}
            </div>
            {move || setup.value().get().map(|result| match result {
                Err(error) => view! { <ErrorMessage error/> }.into_any(),
                Ok(view) => {
                    if let Some(problem) = view.problem {
                        return view! { <Problem problem/> }.into_any();
                    }
                    let count = view.changes.len();
                    let headline = match (view.applied, count) {
                        (false, 0) => format!("Nothing to change: account {} already holds all this organization needs.", view.account),
                        (false, n) => format!("Apply would make {n} change(s) in account {}:", view.account),
                        (true, 0) => format!("Nothing changed: account {} already held all this organization needs.", view.account),
                        (true, n) => format!("Applied {n} change(s) in account {}.", view.account),
                    };
                    view! {
                        <div class="plan" role="status">
                            <p><strong>{headline}</strong></p>
                            <ol class="changes">
                                {view.changes.into_iter().map(|c| view! {
                                    <li>{c.summary}{c.diff.map(|d| view! { <pre class="diff">{d}</pre> })}</li>
                                }).collect_view()}
                            </ol>
                            {(!view.applied && count > 0).then(|| view! {
                                <button type="button" class="primary" disabled=pending on:click=move |_| { setup.dispatch(setup_request(true)); }>
                                    "Apply"
                                </button>
                            })}
                            {view.connection.map(|report| view! { <ConnectionReport report/> })}
                        </div>
                    }.into_any()
                }
            })}
            {move || diagnose.value().get().map(|result| match result {
                Err(error) => view! { <ErrorMessage error/> }.into_any(),
                Ok(view) => match view.problem {
                    Some(problem) => view! { <Problem problem/> }.into_any(),
                    None if view.findings.is_empty() => view! {
                        <p class="diagnosis ok" role="status">
                            {format!("No mismatch: the provider and the role in account {} are as this organization needs.", view.account)}
                        </p>
                    }.into_any(),
                    None => view! {
                        <ul class="findings" role="status">
                            {view.findings.into_iter().map(|f| {
                                let badge = match f.severity {
                                    FindingSeverity::Mismatch => "mismatch",
                                    FindingSeverity::Security => "security problem",
                                };
                                view! {
                                    <li data-severity=f.severity.as_str()>
                                        <span class="badge failed">{badge}</span> " " <strong>{f.subject}</strong>
                                        {f.found.map(|found| view! { <p>"In AWS: " <code>{found}</code></p> })}
                                        <p>"Expected: " <code>{f.expected}</code></p>
                                        <p class="error-hint">{f.fix}</p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                },
            })}
        </div>
    }
}

#[component]
fn Problem(problem: IamProblem) -> impl IntoView {
    view! {
        <div class="error-message" data-code=problem.code.clone().unwrap_or_default()>
            <p class="error" role="alert">
                {problem.code.clone().map(|c| view! { <code class="aws-code">{c}</code> " " })}
                {problem.message}
            </p>
            <p class="error-hint">{problem.hint}</p>
        </div>
    }
}
