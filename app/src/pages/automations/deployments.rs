//! The Deployments and Kickoffs sections of an automation's page: **Deploy** with the token shown
//! once, the deployments with **Revoke token**, and the kickoff history with a fingerprint of each
//! value, so a rotation can be seen taking effect without anyone seeing the value.
use leptos::prelude::*;
use vocabulary::{
    dto::deployments::{DeploymentView, KickoffOutcome, KickoffView, NewDeployment},
    ids::AutomationId,
};

use super::api;
use crate::components::{
    column_heads::ColumnHeads,
    confirm_button::ConfirmButton,
    copy_button::CopyButton,
    error_message::{ErrorMessage, SecretFailures},
    loading::Loading,
    pager::{Pager, Pages},
    timestamp::Timestamp,
};

#[component]
pub fn Deployments(automation: AutomationId, can_manage: bool) -> impl IntoView {
    let deploy = ServerAction::<api::DeployAutomation>::new();
    let revoke = ServerAction::<api::RevokeDeploymentToken>::new();
    let list = Resource::new(
        move || deploy.version().get() + revoke.version().get(),
        move |_| api::list_deployments(automation),
    );
    // The token is shown until the admin says they have it; it is never fetched again.
    let shown = RwSignal::new(None::<NewDeployment>);
    Effect::new(move |_| {
        if let Some(Ok(created)) = deploy.value().get() {
            shown.set(Some(created));
        }
    });
    let deploying = deploy.pending();

    view! {
        <section aria-labelledby="deployments-heading">
            <h2 id="deployments-heading">"Deployments"</h2>
            <p class="section-note">
                "Deploy freezes the variables. Secrets read through a static key are read now and kept, encrypted, in the deployment; secrets read through Workload Identity are read again at every kickoff."
            </p>
            {can_manage.then(|| view! {
                <div class="section-actions">
                    <button type="button" class="primary" disabled=move || deploying.get()
                        on:click=move |_| {
                            shown.set(None);
                            deploy.dispatch(api::DeployAutomation { automation });
                        }>
                        {move || if deploying.get() { "Deploying…" } else { "Deploy" }}
                    </button>
                    {move || deploying.get().then(|| view! {
                        <span role="status" class="muted">"Reading the secrets behind static keys…"</span>
                    })}
                </div>
            })}
            {move || deploy.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error/> })}
            {move || shown.get().map(|created| view! { <NewToken created on_done=move || shown.set(None)/> })}
            {move || revoke.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error/> })}
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Ok(rows) if rows.is_empty() => view! {
                        <div class="empty-state">
                            <h3>"Not deployed yet"</h3>
                            <p>"Deploy to get a token a worker kicks off with: wisp run --server … --token-file … -- your-command."</p>
                        </div>
                    }.into_any(),
                    Ok(rows) => view! { <DeploymentTable rows can_manage revoke/> }.into_any(),
                    Err(error) => view! { <ErrorMessage error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn NewToken(created: NewDeployment, on_done: impl Fn() + 'static) -> impl IntoView {
    let token = created.token.clone();
    view! {
        <div class="new-token" role="region" aria-labelledby="new-token-heading">
            <h3 id="new-token-heading">{format!("Deployment {} created", created.deployment.number)}</h3>
            <p>"Copy its token now: Wisp keeps only a hash of it and cannot show it again."</p>
            <label for="deployment-token">"Deployment token"</label>
            <div class="copy-row">
                <input id="deployment-token" type="text" readonly value=token.clone() spellcheck="false" autocomplete="off"/>
                <CopyButton text=token label="Copy deployment token"/>
            </div>
            <p class="field-note">
                "On the worker: save it to a file readable only by the worker, then run "
                <code>"wisp run --server <this Wisp's URL> --token-file <file> -- <command>"</code>
                "."
            </p>
            <button type="button" class="secondary small" on:click=move |_| on_done()>"Done"</button>
        </div>
    }
}

#[component]
fn DeploymentTable(
    rows: Vec<DeploymentView>,
    can_manage: bool,
    revoke: ServerAction<api::RevokeDeploymentToken>,
) -> impl IntoView {
    view! {
        <table class="list deployments">
            <ColumnHeads columns=&["Deployment", "Created", "Variables", "Token last used", "Token"]/>
            <tbody>
                {rows.into_iter().map(|row| {
                    let (id, number) = (row.id, row.number);
                    let token = match (row.revoked_at.clone(), can_manage) {
                        (Some(at), _) => view! { <span class="badge revoked">"revoked"</span> " " <Timestamp at/> }.into_any(),
                        (None, true) => view! {
                            <span class="badge active">"active"</span>
                            " "
                            <ConfirmButton
                                label="Revoke token"
                                question=format!("Revoke the token of deployment {number}? Kickoffs with it will be refused.")
                                confirm="Revoke"
                                on_confirm=move |()| {
                                    revoke.dispatch(api::RevokeDeploymentToken { deployment: id });
                                }
                            />
                        }.into_any(),
                        (None, false) => view! { <span class="badge active">"active"</span> }.into_any(),
                    };
                    view! {
                        <tr data-deployment=number>
                            <th scope="row">{format!("#{number}")}</th>
                            <td>
                                <Timestamp at=row.created_at/>
                                <span class="muted">{row.created_by.map(|by| format!(" by {by}")).unwrap_or_default()}</span>
                            </td>
                            <td>{row.variables}</td>
                            <td>{match row.token_last_used_at {
                                Some(at) => view! { <Timestamp at/> }.into_any(),
                                None => view! { <span class="muted">"Never"</span> }.into_any(),
                            }}</td>
                            <td>{token}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn Kickoffs(automation: AutomationId) -> impl IntoView {
    let pages = Pages::<String>::new();
    let refreshed = RwSignal::new(0usize);
    let page = Resource::new(
        move || (pages.cursor(), refreshed.get()),
        move |(after, _)| api::list_kickoffs(automation, after),
    );
    view! {
        <section aria-labelledby="kickoffs-heading">
            <h2 id="kickoffs-heading">"Kickoffs"</h2>
            <p class="section-note">
                "Each value is shown as a short fingerprint (a keyed hash only this Wisp can compute): when a secret is rotated, its fingerprint changes at the next kickoff."
            </p>
            <div class="section-actions">
                <button type="button" class="secondary small" on:click=move |_| {
                    pages.reset();
                    refreshed.update(|n| *n += 1);
                }>"Refresh"</button>
            </div>
            <Transition fallback=|| view! { <Loading/> }>
                {move || page.get().map(|result| match result {
                    Ok(page) if page.kickoffs.is_empty() && pages.is_first() => view! {
                        <div class="empty-state">
                            <h3>"No kickoffs yet"</h3>
                            <p>"A worker's wisp run (or POST /api/v1/kickoffs) appears here, newest first."</p>
                        </div>
                    }.into_any(),
                    Ok(page) => {
                        let next = page.next.clone();
                        view! {
                            <table class="list kickoffs">
                                <ColumnHeads columns=&["Time", "Deployment", "Outcome", "Values"]/>
                                <tbody>
                                    {page.kickoffs.into_iter().map(|kickoff| view! { <KickoffRow kickoff/> }).collect_view()}
                                </tbody>
                            </table>
                            <Pager pages next label="Kickoff pages"/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorMessage error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn KickoffRow(kickoff: KickoffView) -> impl IntoView {
    let outcome = match kickoff.outcome {
        KickoffOutcome::Succeeded => view! { <span class="badge passed">"succeeded"</span> },
        KickoffOutcome::Failed => view! { <span class="badge failed">"failed"</span> },
    };
    view! {
        <tr data-kickoff=kickoff.id.to_string() data-outcome=kickoff.outcome.as_str()>
            <th scope="row"><Timestamp at=kickoff.created_at/></th>
            <td>{format!("#{}", kickoff.deployment)}</td>
            <td>{outcome}</td>
            <td>
                <ul class="fingerprints">
                    {kickoff.variables.into_iter().map(|v| {
                        let source = match (&v.secret_name, v.delivery) {
                            (Some(name), Some(delivery)) => format!("secret {name}, {}", delivery.label()),
                            _ => "plain value".to_owned(),
                        };
                        view! {
                            <li data-key=v.key.to_string()>
                                <code>{v.key.to_string()}</code>
                                <span class="muted">{format!(" {source} ")}</span>
                                {match v.fingerprint {
                                    Some(print) => view! { <code class="fingerprint" title="fingerprint of the value">{print.clone()}</code> }.into_any(),
                                    None => view! { <span class="muted">"—"</span> }.into_any(),
                                }}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {(!kickoff.failures.is_empty()).then(|| view! { <SecretFailures failures=kickoff.failures/> })}
            </td>
        </tr>
    }
}
