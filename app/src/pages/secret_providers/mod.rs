//! Settings → Secret Provider Credentials: how automations reach their secrets.
pub mod api;
mod form;

use leptos::prelude::*;
use leptos_meta::Title;
use vocabulary::{
    access::{self, Permission},
    dto::secret_providers::{ConfigChoice, CredentialAuth, CredentialView},
    providers::{SecretProvider, SecretStore},
};

use self::form::CredentialForm;
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
type Credentials = Crud<
    CredentialView,
    api::CreateCredential,
    api::UpdateCredential,
    api::MakeDefaultCredential,
    api::DeleteCredential,
>;

#[component]
pub fn SecretProvidersPage() -> impl IntoView {
    let can_manage = member_can(Permission::manage(access::Resource::SecretProviders));
    let crud = Credentials::new();
    let page = Resource::new(move || crud.saved.get(), |_| api::list_credentials());
    let editing = crud.editing;

    view! {
        <Title text="Secret Provider Credentials"/>
        <h1>"Secret Provider Credentials"</h1>
        <p class="lead">
            "A credential says how automations read secrets: through a workload identity config (no key stored), or with an access key, optionally assuming a role."
        </p>
        {move || crud.row_error().map(|error| view! { <ErrorMessage error/> })}
        <Transition fallback=|| view! { <Loading/> }>
            {move || {
                page.get().map(|result| match result {
                    Ok(page) => {
                        let configs = page.configs.clone();
                        let has_default: Vec<SecretProvider> =
                            page.credentials.iter().filter(|c| c.is_default).map(CredentialView::provider).collect();
                        let add_button = move || {
                            (can_manage && editing.get().is_none()).then(|| view! {
                                <button type="button" class="primary" on:click=move |_| editing.set(Some(Editing::New))>
                                    "Add Credential"
                                </button>
                            })
                        };
                        let form = move || {
                            editing.get().map(|target| view! {
                                <CredentialForm target configs=configs.clone() has_default=has_default.clone() crud/>
                            })
                        };
                        let list = if page.credentials.is_empty() {
                            view! {
                                <div class="empty-state">
                                    <h2>"No credentials yet"</h2>
                                    <p>
                                        "Add one so automations can read secrets from AWS Secrets Manager or a Vault KV engine. Workload Identity needs no stored key."
                                    </p>
                                </div>
                            }
                            .into_any()
                        } else {
                            view! { <CredentialTable credentials=page.credentials can_manage crud/> }
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
fn CredentialTable(credentials: Vec<CredentialView>, can_manage: bool, crud: Credentials) -> impl IntoView {
    let columns: &'static [&'static str] = if credentials.iter().any(|c| c.provider() == SecretProvider::VaultKv2) {
        &["Name", "Provider", "Authentication Method", "Uses", "AWS Region / KV Mount"]
    } else {
        &["Name", "Provider", "Authentication Method", "Uses", "AWS Region"]
    };
    view! {
        <table class="list">
            <ColumnHeads columns actions=true/>
            {credentials
                .into_iter()
                .map(|credential| view! { <CredentialRow credential can_manage crud/> })
                .collect_view()}
        </table>
    }
}

/// What a credential signs in with, as the list says it: never more of a key than its ends.
fn uses(auth: &CredentialAuth) -> impl IntoView + use<> {
    match auth {
        CredentialAuth::WorkloadIdentity { config_name, .. } => view! { <span>{config_name.clone()}</span> }.into_any(),
        CredentialAuth::StaticKeys { access_key_id, role_arn, .. } => view! {
            <code>{access_key_id.masked()}</code>
            {role_arn.as_ref().map(|arn| view! { " → " <code>{arn.to_string()}</code> })}
        }
        .into_any(),
    }
}

#[component]
fn CredentialRow(credential: CredentialView, can_manage: bool, crud: Credentials) -> impl IntoView {
    let id = credential.id;
    let testing = RwSignal::new(false);
    let test = ServerAction::<api::TestCredentialConnection>::new();
    let plan = credential.auth.test_plan(credential.provider());
    let manage = can_manage.then(|| {
        let edited = credential.clone();
        view! {
            <button type="button" class="secondary small" on:click=move |_| crud.editing.set(Some(Editing::Existing(edited.clone())))>
                "Edit"
            </button>
            {(!credential.is_default).then(|| view! {
                <button type="button" class="secondary small" on:click=move |_| {
                    crud.make_default.dispatch(api::MakeDefaultCredential { id });
                }>
                    "Make default"
                </button>
            })}
            <ConfirmButton
                label="Delete"
                question=delete_question(&credential.name, &credential.used_by)
                confirm="Delete credential"
                on_confirm=move |()| {
                    crud.delete.dispatch(api::DeleteCredential { id });
                }
            />
        }
    });
    view! {
        <tbody>
            <tr>
                <td>
                    {credential.name.clone()}
                    {credential.is_default.then(|| view! { " " <span class="badge">"(default)"</span> })}
                    <UsedBy used_by=credential.used_by.clone()/>
                </td>
                <td>{credential.provider().label()}</td>
                <td>{credential.auth.method().label()}</td>
                <td>{uses(&credential.auth)}</td>
                <td>{match &credential.store {
                    SecretStore::AwsSecretsManager { region } => view! { {region.as_str()} }.into_any(),
                    SecretStore::VaultKv2 { .. } => view! { <code>{credential.store.location()}</code> }.into_any(),
                }}</td>
                <RowActions>
                    <button
                        type="button"
                        class="small"
                        disabled=move || test.pending().get()
                        on:click=move |_| {
                            testing.set(true);
                            test.dispatch(api::TestCredentialConnection { id });
                        }
                    >
                        "Test Connection"
                    </button>
                    {manage}
                </RowActions>
            </tr>
            <Show when=move || testing.get()>
                <tr class="row-panel">
                    <td colspan="6">
                        <ConnectionResult pending=test.pending() result=test.value() plan/>
                    </td>
                </tr>
            </Show>
        </tbody>
    }
}

/// The config a new credential for `provider` starts with: its cloud's default, else the first.
fn preferred(configs: &[ConfigChoice], provider: SecretProvider) -> Option<&ConfigChoice> {
    let mut of_cloud = configs.iter().filter(|c| c.provider == provider.cloud());
    configs.iter().find(|c| c.is_default && c.provider == provider.cloud()).or_else(|| of_cloud.next())
}
