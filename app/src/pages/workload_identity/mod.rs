//! Settings → Workload Identity: the AWS roles this organization's tokens can assume, and the
//! Vault roles they can log in with.
pub mod api;
mod aws_assistant;
mod form;
mod trust_for;
mod trust_panel;
mod vault_trust;

use leptos::prelude::*;
use leptos_meta::Title;
use vocabulary::{
    access::{self, Permission},
    aws::CloudProvider,
    dto::workload_identity::ConfigView,
    providers::IdentityTarget,
};

use vocabulary::dto::connection::CheckStep;

use self::{
    aws_assistant::{AwsAssistant, Mode},
    form::ConfigForm,
    trust_panel::TrustPanel,
    vault_trust::{VaultFields, VaultTrustPanel},
};
use crate::{
    components::{
        column_heads::ColumnHeads,
        confirm_button::ConfirmButton,
        connection_report::ConnectionResult,
        crud::{Crud, Editing},
        error_message::ErrorMessage,
        loading::Loading,
        row_actions::RowActions,
        used_by::{UsedBy, delete_question},
    },
    pages::settings::member_can,
};

/// The page's objects and actions.
type Configs = Crud<
    ConfigView,
    api::CreateWorkloadIdentityConfig,
    api::UpdateWorkloadIdentityConfig,
    api::MakeDefaultWorkloadIdentityConfig,
    api::DeleteWorkloadIdentityConfig,
>;

#[component]
pub fn WorkloadIdentityPage() -> impl IntoView {
    let can_manage = member_can(Permission::manage(access::Resource::WorkloadIdentityConfigs));
    let crud = Configs::new();
    let configs = Resource::new(move || crud.saved.get(), |_| api::list_workload_identity_configs());
    let editing = crud.editing;

    view! {
        <Title text="Workload Identity"/>
        <h1>"Workload Identity"</h1>
        <p class="lead">
            "Each config names an AWS role that this organization's Wisp tokens can assume, or a Vault role they log in with: no cloud key or Vault token is stored anywhere."
        </p>
        {move || crud.row_error().map(|error| view! { <ErrorMessage error/> })}
        <Transition fallback=|| view! { <Loading/> }>
            {move || {
                configs.get().map(|result| match result {
                    Ok(configs) => {
                        let has_default: Vec<CloudProvider> =
                            configs.iter().filter(|c| c.is_default).map(ConfigView::provider).collect();
                        let add_button = move || {
                            (can_manage && editing.get().is_none()).then(|| view! {
                                <button type="button" class="primary" on:click=move |_| editing.set(Some(Editing::New))>
                                    "Add Workload Identity Config"
                                </button>
                            })
                        };
                        let form = move || {
                            editing.get().map(|target| view! { <ConfigForm target has_default=has_default.clone() crud/> })
                        };
                        let list = if configs.is_empty() {
                            view! {
                                <div class="empty-state">
                                    <h2>"No workload identity configs yet"</h2>
                                    <p>
                                        "Add one to let this organization's automations read AWS or Vault secrets with short-lived tokens, without storing a key."
                                    </p>
                                </div>
                            }
                            .into_any()
                        } else {
                            view! { <ConfigTable configs can_manage crud/> }.into_any()
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
fn ConfigTable(configs: Vec<ConfigView>, can_manage: bool, crud: Configs) -> impl IntoView {
    let columns: &'static [&'static str] = if configs.iter().any(|c| c.provider() == CloudProvider::Vault) {
        &["Name", "Provider", "AWS Role ARN / Vault Role", "AWS Region / Vault Address"]
    } else {
        &["Name", "Provider", "AWS Role ARN", "AWS Region"]
    };
    view! {
        <table class="list">
            <ColumnHeads columns actions=true/>
            {configs
                .into_iter()
                .map(|config| view! { <ConfigRow config can_manage crud/> })
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
    SetUp,
    Diagnose,
}

#[component]
fn ConfigRow(config: ConfigView, can_manage: bool, crud: Configs) -> impl IntoView {
    let id = config.id;
    let panel = RwSignal::new(RowPanel::None);
    let test = ServerAction::<api::TestWorkloadIdentityConnection>::new();
    let toggle = move |which: RowPanel| panel.update(|p| *p = if *p == which { RowPanel::None } else { which });
    let is_aws = config.provider() == CloudProvider::Aws;
    let manage = can_manage.then(|| {
        let edited = config.clone();
        view! {
            {is_aws.then(|| view! {
                <button type="button" class="secondary small" aria-expanded=move || (panel.get() == RowPanel::SetUp).to_string()
                    on:click=move |_| toggle(RowPanel::SetUp)>"Set up in AWS"</button>
                <button type="button" class="secondary small" aria-expanded=move || (panel.get() == RowPanel::Diagnose).to_string()
                    on:click=move |_| toggle(RowPanel::Diagnose)>"Diagnose"</button>
            })}
            <button type="button" class="secondary small" on:click=move |_| crud.editing.set(Some(Editing::Existing(edited.clone())))>
                "Edit"
            </button>
            {(!config.is_default).then(|| view! {
                <button type="button" class="secondary small" on:click=move |_| {
                    crud.make_default.dispatch(api::MakeDefaultWorkloadIdentityConfig { id });
                }>
                    "Make default"
                </button>
            })}
            <ConfirmButton
                label="Delete"
                question=delete_question(&config.name, &config.used_by)
                confirm="Delete config"
                on_confirm=move |()| {
                    crud.delete.dispatch(api::DeleteWorkloadIdentityConfig { id });
                }
            />
        }
    });
    let plan = match config.provider() {
        CloudProvider::Aws => CheckStep::WORKLOAD_IDENTITY,
        CloudProvider::Vault => CheckStep::VAULT,
    };
    let (who, place) = match &config.target {
        IdentityTarget::Aws(role) => (role.role_arn.to_string(), role.region.to_string()),
        IdentityTarget::Vault(login) => (login.role.to_string(), login.address.to_string()),
    };
    // The provider's setup, from the saved values.
    let target = StoredValue::new(config.target.clone());
    let setup = move || match target.get_value() {
        IdentityTarget::Aws(role) => view! {
            <TrustPanel role_arn=Signal::stored(role.role_arn.to_string()) region=Signal::stored(role.region)
                session_tags=Signal::stored(role.session_tags)/>
        }
        .into_any(),
        IdentityTarget::Vault(login) => view! { <VaultTrustPanel fields=VaultFields::new(Some(&login))/> }.into_any(),
    };
    view! {
        <tbody>
            <tr>
                <td>
                    {config.name.clone()}
                    {config.is_default.then(|| view! { " " <span class="badge">"(default)"</span> })}
                    <UsedBy used_by=config.used_by.clone()/>
                </td>
                <td>{config.provider().label()}</td>
                <td><code>{who}</code></td>
                <td>{place}</td>
                <RowActions>
                    <button
                        type="button"
                        class="small"
                        disabled=move || test.pending().get()
                        on:click=move |_| {
                            panel.set(RowPanel::Connection);
                            test.dispatch(api::TestWorkloadIdentityConnection { id });
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
                        {if is_aws { "Trust policy" } else { "Vault commands" }}
                    </button>
                    {manage}
                </RowActions>
            </tr>
            <Show when=move || panel.get() != RowPanel::None>
                <tr class="row-panel">
                    <td colspan="5">
                        {
                            move || match panel.get() {
                                RowPanel::TrustPolicy => setup(),
                                RowPanel::SetUp => view! { <AwsAssistant id mode=Mode::SetUp/> }.into_any(),
                                RowPanel::Diagnose => view! { <AwsAssistant id mode=Mode::Diagnose/> }.into_any(),
                                _ => view! {
                                    <ConnectionResult
                                        pending=test.pending()
                                        result=test.value()
                                        plan
                                    />
                                    // The trust policy is the usual cause: offer to compare it with AWS.
                                    {move || (can_manage && denied(&test.value().get())).then(|| view! {
                                        <p class="field-note">
                                            "AWS refused access. Diagnose compares the provider and the role in AWS with what this organization needs: "
                                            <button type="button" class="secondary small" on:click=move |_| panel.set(RowPanel::Diagnose)>"Diagnose"</button>
                                        </p>
                                    })}
                                }
                                .into_any(),
                            }
                        }
                    </td>
                </tr>
            </Show>
        </tbody>
    }
}

/// Whether a Test Connection failed because AWS refused access.
fn denied(result: &Option<Result<vocabulary::dto::connection::ConnectionReportView, crate::error::AppError>>) -> bool {
    matches!(result, Some(Ok(report)) if report.steps.iter().any(|step| {
        step.code.as_deref().is_some_and(|code| code.starts_with("AccessDenied"))
    }))
}
