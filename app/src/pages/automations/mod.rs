//! Automations: what deployment workers run, each with the environment it gets.
pub mod api;
mod deployments;
mod detail;
mod run_role;
mod secret_name;
mod variable_form;
mod variables;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_navigate};
use vocabulary::{
    access::{self, Permission},
    dto::automations::AutomationSummary,
    ids::AutomationId,
};

pub use self::detail::AutomationPage;
use crate::{
    components::{
        column_heads::ColumnHeads, confirm_button::ConfirmButton, error_message::ErrorMessage, field::Field,
        form_card::FormCard, loading::Loading, row_actions::RowActions,
    },
    pages::settings::member_can,
};

/// The link to an automation's page.
pub fn automation_path(id: AutomationId) -> String {
    format!("/automations/{id}")
}

/// What the name form is doing: creating an automation, or renaming one.
#[derive(Clone, Debug, PartialEq)]
enum Naming {
    New,
    Rename(AutomationSummary),
}

#[component]
pub fn AutomationsPage() -> impl IntoView {
    let can_manage = member_can(Permission::manage(access::Resource::Automations));
    let create = ServerAction::<api::CreateAutomation>::new();
    let rename = ServerAction::<api::RenameAutomation>::new();
    let delete = ServerAction::<api::DeleteAutomation>::new();
    let naming = RwSignal::new(None::<Naming>);
    let list = Resource::new(move || (rename.version().get(), delete.version().get()), |_| api::list_automations());
    // A new automation opens at once: its variables are what comes next.
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&automation_path(id), Default::default());
        }
    });
    Effect::new(move |_| {
        if matches!(rename.value().get(), Some(Ok(()))) {
            naming.set(None);
        }
    });
    let row_error = move || delete.value().get().and_then(Result::err);

    view! {
        <Title text="Automations"/>
        <h1>"Automations"</h1>
        <p class="lead">
            "An automation is what a deployment worker runs. Its environment variables say which values and secrets each run gets."
        </p>
        {move || row_error().map(|error| view! { <ErrorMessage error/> })}
        {move || {
            (can_manage && naming.get().is_none()).then(|| view! {
                <button type="button" class="primary" on:click=move |_| naming.set(Some(Naming::New))>"New Automation"</button>
            })
        }}
        {move || naming.get().map(|target| view! { <NameForm target create rename naming/> })}
        <Transition fallback=|| view! { <Loading/> }>
            {move || {
                list.get().map(|result| match result {
                    Ok(automations) if automations.is_empty() => view! {
                        <div class="empty-state">
                            <h2>"No automations yet"</h2>
                            <p>
                                "Create one, then add the environment variables its runs need: plain values, or secrets picked by name from AWS Secrets Manager."
                            </p>
                        </div>
                    }
                    .into_any(),
                    Ok(automations) => view! {
                        <table class="list">
                            <ColumnHeads columns=&["Name", "Variables", "Current deployment", "Last kickoff"] actions=can_manage/>
                            <tbody>
                                {automations
                                    .into_iter()
                                    .map(|automation| view! { <AutomationRow automation can_manage naming delete/> })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorMessage error/> }.into_any(),
                })
            }}
        </Transition>
    }
}

#[component]
fn AutomationRow(
    automation: AutomationSummary,
    can_manage: bool,
    naming: RwSignal<Option<Naming>>,
    delete: ServerAction<api::DeleteAutomation>,
) -> impl IntoView {
    let id = automation.id;
    let goes_with = match automation.variables {
        0 => String::new(),
        1 => " and its variable".to_owned(),
        n => format!(" and its {n} variables"),
    };
    let manage = can_manage.then(|| {
        let renamed = automation.clone();
        let question = format!("Delete {}{goes_with}?", automation.name);
        view! {
            <RowActions>
                <button type="button" class="secondary small" on:click=move |_| naming.set(Some(Naming::Rename(renamed.clone())))>
                    "Rename"
                </button>
                <ConfirmButton
                    label="Delete"
                    question=question
                    confirm="Delete automation"
                    on_confirm=move |()| {
                        delete.dispatch(api::DeleteAutomation { id });
                    }
                />
            </RowActions>
        }
    });
    view! {
        <tr>
            <td><A href=automation_path(id)>{automation.name.clone()}</A></td>
            <td>{automation.variables}</td>
            <td>{automation.current_deployment.map_or_else(|| "Not deployed".to_owned(), |n| format!("#{n}"))}</td>
            <td>{automation.last_kickoff.clone().unwrap_or_else(|| "Never".to_owned())}</td>
            {manage}
        </tr>
    }
}

/// New Automation (Name, Create) or Rename (Name, Save).
#[component]
fn NameForm(
    target: Naming,
    create: ServerAction<api::CreateAutomation>,
    rename: ServerAction<api::RenameAutomation>,
    naming: RwSignal<Option<Naming>>,
) -> impl IntoView {
    let (heading, initial, id) = match &target {
        Naming::New => ("New Automation".to_owned(), String::new(), None),
        Naming::Rename(a) => (format!("Rename {}", a.name), a.name.clone(), Some(a.id)),
    };
    let name = RwSignal::new(initial);
    let error = move || match id {
        Some(_) => rename.value().get().and_then(Result::err),
        None => create.value().get().and_then(Result::err),
    };
    let field_error = move || error().and_then(|e| e.for_field("name"));
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
        }
    });
    view! {
        <FormCard
            heading
            editing_existing=id.is_some()
            pending=Signal::derive(move || create.pending().get() || rename.pending().get())
            error=Signal::derive(error)
            on_submit=move |()| match id {
                Some(id) => {
                    rename.dispatch(api::RenameAutomation { id, name: name.get() });
                }
                None => {
                    create.dispatch(api::CreateAutomation { name: name.get() });
                }
            }
            on_cancel=move |()| naming.set(None)
        >
            <Field id="automation-name" label="Name" error=Signal::derive(field_error)>
                <input id="automation-name" type="text" required autocomplete="off" placeholder="nightly-backup" node_ref=input
                    aria-describedby="automation-name-error" aria-invalid=move || field_error().is_some().to_string()
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            </Field>
        </FormCard>
    }
}
