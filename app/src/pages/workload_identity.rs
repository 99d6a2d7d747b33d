use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{
        session::SessionInfo,
        workload_identity::{
            ConfigView, ConnectionReportView, CreateWorkloadIdentityConfig, DeleteWorkloadIdentityConfig,
            MakeDefaultWorkloadIdentityConfig, RegionOption, StepStatus, StepView, TestWorkloadIdentityConnection,
            UpdateWorkloadIdentityConfig, list_workload_identity_configs, workload_identity_trust_setup,
        },
    },
    components::{copy_button::CopyButton, error_message::ErrorMessage},
};

/// What the form is editing: a new config, or an existing one.
#[derive(Clone, Debug, PartialEq)]
enum Editing {
    New,
    Existing(ConfigView),
}

#[component]
pub fn WorkloadIdentityPage() -> impl IntoView {
    let can_manage = use_context::<SessionInfo>().is_some_and(|info| info.can.workload_identity_manage);
    let create = ServerAction::<CreateWorkloadIdentityConfig>::new();
    let update = ServerAction::<UpdateWorkloadIdentityConfig>::new();
    let make_default = ServerAction::<MakeDefaultWorkloadIdentityConfig>::new();
    let delete = ServerAction::<DeleteWorkloadIdentityConfig>::new();
    // Only a change that was saved reloads the list: a refused form keeps what was typed.
    let saved = RwSignal::new(0_u32);
    let page = Resource::new(move || saved.get(), |_| list_workload_identity_configs());
    let editing = RwSignal::new(None::<Editing>);
    let reload = move || saved.update(|n| *n += 1);
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            editing.set(None);
            reload();
        }
    });
    Effect::new(move |_| {
        if matches!(update.value().get(), Some(Ok(_))) {
            editing.set(None);
            reload();
        }
    });
    Effect::new(move |_| {
        if matches!(make_default.value().get(), Some(Ok(_))) {
            reload();
        }
    });
    Effect::new(move |_| {
        if matches!(delete.value().get(), Some(Ok(_))) {
            reload();
        }
    });
    let row_error =
        move || make_default.value().get().and_then(Result::err).or_else(|| delete.value().get().and_then(Result::err));

    view! {
        <Title text="Workload Identity"/>
        <h1>"Workload Identity"</h1>
        <p class="lead">
            "Each config names an AWS role that this organization's Wisp tokens can assume, with no AWS key stored anywhere."
        </p>
        {move || row_error().map(|error| view! { <ErrorMessage error/> })}
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || {
                page.get().map(|result| match result {
                    Ok(data) => {
                        let regions = data.regions.clone();
                        let has_aws = data.configs.iter().any(|c| c.provider == "aws");
                        let add_button = move || {
                            (can_manage && editing.get().is_none()).then(|| view! {
                                <button type="button" class="primary" on:click=move |_| editing.set(Some(Editing::New))>
                                    "Add Workload Identity Config"
                                </button>
                            })
                        };
                        let form = move || {
                            editing.get().map(|target| view! {
                                <ConfigForm target regions=regions.clone() has_aws create update editing/>
                            })
                        };
                        let list = if data.configs.is_empty() {
                            view! {
                                <div class="empty-state">
                                    <h2>"No workload identity configs yet"</h2>
                                    <p>
                                        "Add one to let this organization's automations read AWS secrets through a role, without storing an access key."
                                    </p>
                                </div>
                            }
                            .into_any()
                        } else {
                            view! {
                                <ConfigTable configs=data.configs.clone() test_steps=data.test_steps.clone() can_manage editing make_default delete/>
                            }
                                .into_any()
                        };
                        view! { {add_button} {form} {list} }.into_any()
                    }
                    Err(error) => view! { <ErrorMessage error/> }.into_any(),
                })
            }}
        </Transition>
    }
}

#[component]
fn ConfigTable(
    configs: Vec<ConfigView>,
    test_steps: Vec<String>,
    can_manage: bool,
    editing: RwSignal<Option<Editing>>,
    make_default: ServerAction<MakeDefaultWorkloadIdentityConfig>,
    delete: ServerAction<DeleteWorkloadIdentityConfig>,
) -> impl IntoView {
    view! {
        <table class="list">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Provider"</th>
                    <th scope="col">"AWS Role ARN"</th>
                    <th scope="col">"AWS Region"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            {configs
                .into_iter()
                .map(|config| view! { <ConfigRow config test_steps=test_steps.clone() can_manage editing make_default delete/> })
                .collect_view()}
        </table>
    }
}

/// What a row shows beneath itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RowPanel {
    None,
    TrustPolicy,
    Connection,
}

#[component]
fn ConfigRow(
    config: ConfigView,
    test_steps: Vec<String>,
    can_manage: bool,
    editing: RwSignal<Option<Editing>>,
    make_default: ServerAction<MakeDefaultWorkloadIdentityConfig>,
    delete: ServerAction<DeleteWorkloadIdentityConfig>,
) -> impl IntoView {
    let id = config.id;
    let panel = RwSignal::new(RowPanel::None);
    let confirming = RwSignal::new(false);
    let test = ServerAction::<TestWorkloadIdentityConnection>::new();
    let name = config.name.clone();
    let toggle = move |which: RowPanel| panel.update(|p| *p = if *p == which { RowPanel::None } else { which });
    let manage = can_manage.then(|| {
        let edited = config.clone();
        let name = name.clone();
        let is_default = config.is_default;
        view! {
            <button type="button" class="secondary small" on:click=move |_| editing.set(Some(Editing::Existing(edited.clone())))>
                "Edit"
            </button>
            {(!is_default).then(|| view! {
                <button type="button" class="secondary small" on:click=move |_| { make_default.dispatch(MakeDefaultWorkloadIdentityConfig { id }); }>
                    "Make default"
                </button>
            })}
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <button type="button" class="secondary small" on:click=move |_| confirming.set(true)>"Delete"</button>
                }
            >
                <span>{format!("Delete {name}?")}</span>
                <button type="button" class="danger small" on:click=move |_| {
                    delete.dispatch(DeleteWorkloadIdentityConfig { id });
                    confirming.set(false);
                }>"Delete config"</button>
                <button type="button" class="secondary small" on:click=move |_| confirming.set(false)>"Cancel"</button>
            </Show>
        }
    });
    let (role_arn, region) = (config.role_arn.clone(), config.region.clone());
    let test_steps = StoredValue::new(test_steps);
    view! {
        <tbody>
            <tr>
                <td>
                    {config.name.clone()}
                    {config.is_default.then(|| view! { " " <span class="badge">"(default)"</span> })}
                </td>
                <td>{config.provider_label.clone()}</td>
                <td><code>{config.role_arn.clone()}</code></td>
                <td>{config.region.clone()}</td>
                <td class="actions">
                    <button
                        type="button"
                        class="small"
                        disabled=move || test.pending().get()
                        on:click=move |_| {
                            panel.set(RowPanel::Connection);
                            test.dispatch(TestWorkloadIdentityConnection { id });
                        }
                    >
                        "Test Connection"
                    </button>
                    <button
                        type="button"
                        class="secondary small"
                        aria-expanded=move || (panel.get() == RowPanel::TrustPolicy).to_string()
                        on:click=move |_| toggle(RowPanel::TrustPolicy)
                    >
                        "Trust policy"
                    </button>
                    {manage}
                </td>
            </tr>
            <Show when=move || panel.get() != RowPanel::None>
                <tr class="row-panel">
                    <td colspan="5">
                        {
                            let (role_arn, region) = (role_arn.clone(), region.clone());
                            move || match panel.get() {
                                RowPanel::TrustPolicy => view! {
                                    <TrustPanel role_arn=Signal::stored(role_arn.clone()) region=Signal::stored(region.clone())/>
                                }
                                .into_any(),
                                _ => view! { <ConnectionResult test steps=test_steps.get_value()/> }.into_any(),
                            }
                        }
                    </td>
                </tr>
            </Show>
        </tbody>
    }
}

#[component]
fn ConnectionResult(test: ServerAction<TestWorkloadIdentityConnection>, steps: Vec<String>) -> impl IntoView {
    move || {
        if test.pending().get() {
            return view! {
                <div class="connection-test" role="status" aria-busy="true">
                    <p><span class="spinner" aria-hidden="true"></span>"Testing connection… AWS calls time out after about 10 seconds."</p>
                    <ol class="steps">
                        {steps.iter().map(|t| view! { <li class="step pending">{t.clone()}</li> }).collect_view()}
                    </ol>
                </div>
            }
            .into_any();
        }
        match test.value().get() {
            Some(Ok(report)) => view! { <ConnectionReport report/> }.into_any(),
            Some(Err(error)) => view! { <ErrorMessage error/> }.into_any(),
            None => ().into_any(),
        }
    }
}

#[component]
fn ConnectionReport(report: ConnectionReportView) -> impl IntoView {
    let headline = if report.passed {
        "Connection works".to_owned()
    } else {
        let failed = report.steps.iter().find(|s| s.status == StepStatus::Failed).map(|s| s.title.clone());
        format!("Connection failed at {}", failed.unwrap_or_default())
    };
    view! {
        <section class="connection-test" aria-label="Test Connection result" aria-live="polite">
            <h3 class=if report.passed { "passed" } else { "failed" }>{headline}</h3>
            {report.assumed_role_arn.clone().map(|arn| view! {
                <p>"Assumed role: " <code>{arn}</code></p>
                <p class="hint">"Access to each secret is checked when an automation starts, with that secret's name."</p>
            })}
            <ol class="steps">{report.steps.into_iter().map(|step| view! { <Step step/> }).collect_view()}</ol>
        </section>
    }
}

#[component]
fn Step(step: StepView) -> impl IntoView {
    let (class, status) = match step.status {
        StepStatus::Passed => ("step passed", "Passed"),
        StepStatus::Failed => ("step failed", "Failed"),
        StepStatus::Skipped => ("step skipped", "Skipped"),
    };
    view! {
        <li class=class>
            <strong>{status}": "</strong>{step.title}
            {(!step.detail.is_empty()).then(|| view! { " — " <span class="detail">{step.detail}</span> })}
            {step.code.map(|code| view! { <p>"AWS error code: " <code>{code}</code></p> })}
            {step.aws_message.map(|message| view! { <p>"AWS said: " {message}</p> })}
            {(!step.cause.is_empty()).then(|| view! { <p>"Likely cause: " {step.cause}</p> })}
            {(!step.fix.is_empty()).then(|| view! { <p>"What to do: " {step.fix}</p> })}
            {(!step.warnings.is_empty()).then(|| view! {
                <ul class="warnings">{step.warnings.into_iter().map(|w| view! { <li class="warning">{w}</li> }).collect_view()}</ul>
            })}
        </li>
    }
}

#[component]
fn ConfigForm(
    target: Editing,
    regions: Vec<RegionOption>,
    has_aws: bool,
    create: ServerAction<CreateWorkloadIdentityConfig>,
    update: ServerAction<UpdateWorkloadIdentityConfig>,
    editing: RwSignal<Option<Editing>>,
) -> impl IntoView {
    let existing = match &target {
        Editing::Existing(config) => Some(config.clone()),
        Editing::New => None,
    };
    let name = RwSignal::new(existing.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let provider = RwSignal::new(existing.as_ref().map(|c| c.provider.clone()).unwrap_or_else(|| "aws".to_owned()));
    let role_arn = RwSignal::new(existing.as_ref().map(|c| c.role_arn.clone()).unwrap_or_default());
    let region = RwSignal::new(existing.as_ref().map(|c| c.region.clone()).unwrap_or_else(|| "us-east-1".to_owned()));
    // The first AWS config becomes the default unless the admin unticks it.
    let set_default = RwSignal::new(existing.as_ref().map_or(!has_aws, |c| c.is_default));
    let id = existing.as_ref().map(|c| c.id);
    let heading = match &existing {
        Some(config) => format!("Edit {}", config.name),
        None => "Add Workload Identity Config".to_owned(),
    };
    let error = move || match id {
        Some(_) => update.value().get().and_then(Result::err),
        None => create.value().get().and_then(Result::err),
    };
    let pending = move || create.pending().get() || update.pending().get();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (name, provider, role_arn, region) = (name.get(), provider.get(), role_arn.get(), region.get());
        match id {
            Some(id) => {
                update.dispatch(UpdateWorkloadIdentityConfig {
                    id,
                    name,
                    provider,
                    role_arn,
                    region,
                    set_default: set_default.get(),
                });
            }
            None => {
                create.dispatch(CreateWorkloadIdentityConfig {
                    name,
                    provider,
                    role_arn,
                    region,
                    set_default: Some(set_default.get()),
                });
            }
        }
    };
    let field_error = move |field: &'static str| move || error().and_then(|e| e.for_field(field));
    // The form opens where the admin is typing next.
    let name_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = name_input.get() {
            let _ = input.focus();
        }
    });
    let general_error = move || error().filter(|e| !e.is_about_fields());
    view! {
        <form
            class="card config-form"
            on:submit=submit
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    editing.set(None);
                }
            }
            novalidate
        >
            <h2>{heading}</h2>
            {move || general_error().map(|error| view! { <ErrorMessage error/> })}
            <Field id="wi-name" label="Name" error=Signal::derive(field_error("name"))>
                <input id="wi-name" type="text" required autocomplete="off" placeholder="aws-prod" node_ref=name_input
                    aria-describedby="wi-name-error" aria-invalid=move || field_error("name")().is_some().to_string()
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            </Field>
            <Field id="wi-provider" label="Cloud Provider" error=Signal::derive(field_error("provider"))>
                <select id="wi-provider" aria-describedby="wi-provider-error" on:change=move |ev| provider.set(event_target_value(&ev))>
                    <option value="aws" selected=move || provider.get() == "aws">"AWS"</option>
                </select>
            </Field>
            <Field id="wi-role-arn" label="AWS Role ARN" error=Signal::derive(field_error("role_arn"))>
                <input id="wi-role-arn" type="text" required autocomplete="off" spellcheck="false"
                    placeholder="arn:aws:iam::123456789012:role/wisp-secrets-reader"
                    aria-describedby="wi-role-arn-error" aria-invalid=move || field_error("role_arn")().is_some().to_string()
                    prop:value=move || role_arn.get() on:input=move |ev| role_arn.set(event_target_value(&ev))/>
            </Field>
            <Field id="wi-region" label="AWS Region" error=Signal::derive(field_error("region"))>
                <select id="wi-region" aria-describedby="wi-region-error" on:change=move |ev| region.set(event_target_value(&ev))>
                    {regions
                        .into_iter()
                        .map(|r| {
                            let code = r.code.clone();
                            view! {
                                <option value=r.code.clone() selected=move || region.get() == code>
                                    {format!("{} — {}", r.code, r.location)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </Field>
            <div class="field checkbox">
                <input id="wi-default" type="checkbox" prop:checked=move || set_default.get()
                    on:change=move |ev| set_default.set(event_target_checked(&ev))/>
                <label for="wi-default">"Set as default for AWS"</label>
            </div>
            <div class="form-actions">
                <button type="submit" class="primary" disabled=pending>{if id.is_some() { "Save" } else { "Create" }}</button>
                <button type="button" class="secondary" on:click=move |_| editing.set(None)>"Cancel"</button>
            </div>
            <Show when=move || !role_arn.get().trim().is_empty()>
                <TrustPanel role_arn=role_arn.into() region=region.into()/>
            </Show>
        </form>
    }
}

#[component]
fn Field(id: &'static str, label: &'static str, error: Signal<Option<String>>, children: Children) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {children()}
            <p class="field-error" id=format!("{id}-error") role="alert">{move || error.get()}</p>
        </div>
    }
}

/// The AWS side of a config, generated from this organization's real values.
#[component]
fn TrustPanel(role_arn: Signal<String>, region: Signal<String>) -> impl IntoView {
    let prefix = RwSignal::new(String::new());
    let kms_key = RwSignal::new(String::new());
    let setup = Resource::new(
        move || (role_arn.get(), region.get(), prefix.get(), kms_key.get()),
        |(role_arn, region, secret_prefix, kms_key_arn)| {
            workload_identity_trust_setup(role_arn, region, secret_prefix, kms_key_arn)
        },
    );
    view! {
        <section class="trust-panel" aria-label="AWS setup">
            <h3>"Set up AWS for this role"</h3>
            <p class="hint">
                "Register Wisp as an identity provider, then give the role this trust policy and permissions policy. Every value is this organization's own."
            </p>
            <div class="field">
                <label for="trust-prefix">"Secret name prefix"</label>
                <input id="trust-prefix" type="text" placeholder="prod/ (empty: every secret in the region)"
                    prop:value=move || prefix.get() on:change=move |ev| prefix.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="trust-kms">"KMS key ARN (optional)"</label>
                <input id="trust-kms" type="text" placeholder="Only for secrets encrypted with your own KMS key"
                    prop:value=move || kms_key.get() on:change=move |ev| kms_key.set(event_target_value(&ev))/>
            </div>
            <Transition fallback=|| view! { <p class="loading" role="status">"Preparing…"</p> }>
                {move || setup.get().map(|result| match result {
                    Ok(setup) => view! {
                        {(!setup.issuer_warnings.is_empty()).then(|| view! {
                            <p>"AWS will refuse this issuer until these are fixed:"</p>
                            <ul class="warnings" aria-label="Issuer warnings">
                                {setup.issuer_warnings.into_iter().map(|w| view! { <li class="warning">{w}</li> }).collect_view()}
                            </ul>
                        })}
                        <PolicyBlock title="Trust policy" text=setup.trust_policy/>
                        <PolicyBlock title="Permissions policy" text=setup.permissions_policy/>
                        <PolicyBlock title="AWS CLI commands" text=setup.cli_commands/>
                    }
                    .into_any(),
                    Err(error) => view! { <p class="field-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PolicyBlock(title: &'static str, text: String) -> impl IntoView {
    view! {
        <div class="policy-block">
            <div class="policy-heading">
                <h4>{title}</h4>
                <CopyButton text=text.clone() label=format!("Copy {}", title.to_lowercase())/>
            </div>
            <pre aria-label=title><code>{text}</code></pre>
        </div>
    }
}
