//! An automation's page: its Environment Variables, Deployments and Kickoffs.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};
use vocabulary::{
    ErrorCode,
    access::{self, Permission},
    ids::AutomationId,
};

use super::{
    api,
    deployments::{Deployments, Kickoffs},
    run_role::RunRole,
    variable_form::VariableForm,
    variables::{ImportForm, VariableTable, Variables},
};
use crate::{
    components::{crud::Editing, error_message::ErrorMessage, loading::Loading},
    error::AppError,
    pages::settings::member_can,
};

#[component]
pub fn AutomationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<AutomationId>().ok());
    view! {
        {move || match id() {
            Some(id) => view! { <Automation id/> }.into_any(),
            None => {
                let error = AppError::new(
                    ErrorCode::NotFound,
                    "This address names no automation.",
                    "Open it from the Automations list.",
                );
                view! { <h1>"Automation not found"</h1> <ErrorMessage error/> <A href="/automations">"Automations"</A> }.into_any()
            }
        }}
    }
}

#[component]
fn Automation(id: AutomationId) -> impl IntoView {
    let can_manage = member_can(Permission::manage(access::Resource::Automations));
    let actions = Variables::new(id);
    let page = Resource::new(move || actions.version(), move |_| api::get_automation(id));
    let (editing, importing) = (actions.editing, actions.importing);

    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb"><A href="/automations">"Automations"</A></nav>
        <Transition fallback=|| view! { <Loading/> }>
            {move || {
                page.get().map(|result| match result {
                    Ok(page) => {
                        let credentials = page.credentials.clone();
                        let form = move || {
                            editing.get().map(|target| view! { <VariableForm target credentials=credentials.clone() actions/> })
                        };
                        let buttons = move || {
                            (can_manage && editing.get().is_none() && !importing.get()).then(|| view! {
                                <div class="section-actions">
                                    <button type="button" class="primary" on:click=move |_| editing.set(Some(Editing::New))>
                                        "Add Variable"
                                    </button>
                                    <button type="button" class="secondary" on:click=move |_| importing.set(true)>
                                        "Paste .env"
                                    </button>
                                </div>
                            })
                        };
                        let list = if page.variables.is_empty() {
                            view! {
                                <div class="empty-state">
                                    <h3>"No variables yet"</h3>
                                    <p>
                                        "Add the values this automation's runs need. A secret variable names a secret in AWS Secrets Manager; with a Workload Identity credential it is read fresh at every kickoff."
                                    </p>
                                </div>
                            }
                            .into_any()
                        } else {
                            view! { <VariableTable variables=page.variables can_manage actions/> }.into_any()
                        };
                        view! {
                            <Title text=page.name.clone()/>
                            <h1>{page.name}</h1>
                            <RunRole automation=id chosen=page.run_role choices=page.run_roles can_manage/>
                            <section aria-labelledby="variables-heading">
                                <h2 id="variables-heading">"Environment Variables"</h2>
                                {move || actions.row_error().map(|error| view! { <ErrorMessage error/> })}
                                {buttons}
                                {form}
                                {move || importing.get().then(|| view! { <ImportForm actions/> })}
                                {list}
                            </section>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <h1>"Automation"</h1> <ErrorMessage error/> }.into_any(),
                })
            }}
        </Transition>
        // Outside the page's Transition: their resources are made once, so the server and the
        // browser number them alike.
        <Deployments automation=id can_manage/>
        <Kickoffs automation=id/>
    }
}
