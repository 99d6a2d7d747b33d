//! Test Connection's progress and report: each step passed, failed or skipped (`data-status`),
//! with the provider's code and words (AWS's or Vault's), the likely cause and what to do.
use leptos::prelude::*;
use vocabulary::dto::connection::{CheckStep, ConnectionReportView, StepStatus, StepView};

use crate::{
    components::{error_message::ErrorMessage, warning_list::WarningList},
    error::AppError,
};

/// The steps of `plan` while the test runs, then the report.
#[component]
pub fn ConnectionResult(
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] result: Signal<Option<Result<ConnectionReportView, AppError>>>,
    plan: &'static [CheckStep],
) -> impl IntoView {
    move || {
        if pending.get() {
            return view! {
                <div class="connection-test" role="status" aria-busy="true">
                    <p><span class="spinner" aria-hidden="true"></span>
                        {format!("Testing connection… {} calls time out after about 10 seconds.", CheckStep::speaker(plan.iter().copied()))}
                    </p>
                    <ol class="steps">
                        {plan
                            .iter()
                            .map(|step| view! { <li class="step pending" data-status="pending">{step.title()}</li> })
                            .collect_view()}
                    </ol>
                </div>
            }
            .into_any();
        }
        match result.get() {
            Some(Ok(report)) => view! { <ConnectionReport report/> }.into_any(),
            Some(Err(error)) => view! { <ErrorMessage error/> }.into_any(),
            None => ().into_any(),
        }
    }
}

#[component]
pub fn ConnectionReport(report: ConnectionReportView) -> impl IntoView {
    let headline = if report.passed {
        "Connection works".to_owned()
    } else {
        let failed = report.steps.iter().find(|s| s.status == StepStatus::Failed).map(|s| s.step.title());
        format!("Connection failed at {}", failed.unwrap_or_default())
    };
    let speaker = CheckStep::speaker(report.steps.iter().map(|s| s.step));
    view! {
        <section class="connection-test" aria-label="Test Connection result" aria-live="polite">
            <h3 class=if report.passed { "passed" } else { "failed" }>{headline}</h3>
            {report.assumed_role_arn.clone().map(|arn| view! { <p>"Signed in as " <code>{arn}</code></p> })}
            {report.passed.then(|| view! {
                <p class="hint">"Access to each secret is checked when an automation starts, with that secret's name."</p>
            })}
            <ol class="steps">{report.steps.into_iter().map(|step| view! { <Step step speaker/> }).collect_view()}</ol>
        </section>
    }
}

#[component]
fn Step(step: StepView, speaker: &'static str) -> impl IntoView {
    let status = match step.status {
        StepStatus::Passed => "Passed",
        StepStatus::Failed => "Failed",
        StepStatus::Skipped => "Skipped",
    };
    view! {
        <li class=format!("step {}", step.status) data-status=step.status.as_str()>
            <strong>{status}": "</strong>{step.step.title()}
            {(!step.detail.is_empty()).then(|| view! { " — " <span class="detail">{step.detail}</span> })}
            // Vault gives no codes of its own: the code is Wisp's name for the cause.
            {step.code.map(|code| view! {
                <p>{if speaker == "AWS" { "AWS error code: " } else { "Error code: " }} <code>{code}</code></p>
            })}
            {step.provider_message.map(|message| view! { <p>{format!("{speaker} said: ")} {message}</p> })}
            {(!step.cause.is_empty()).then(|| view! { <p>"Likely cause: " {step.cause}</p> })}
            {(!step.fix.is_empty()).then(|| view! { <p>"What to do: " {step.fix}</p> })}
            <WarningList warnings=step.warnings/>
        </li>
    }
}
