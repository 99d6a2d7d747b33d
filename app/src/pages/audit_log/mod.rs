//! Settings → Audit Log: who did what to which object, and when; filtered by actor and action,
//! newest first, a page at a time. Never a secret value, key or token: the service leaves out
//! any field that could hold one.
pub mod api;

use leptos::prelude::*;
use leptos_meta::Title;
use vocabulary::{audit::AuditAction, dto::audit::AuditEntryView};

use crate::components::{
    column_heads::ColumnHeads,
    error_message::ErrorMessage,
    loading::Loading,
    pager::{Pager, Pages},
    timestamp::Timestamp,
};

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let pages = Pages::<i64>::new();
    let page = Resource::new(
        move || (actor.get(), action.get(), pages.cursor()),
        |(actor, action, before)| api::list_audit_log(Some(actor), Some(action), before),
    );
    // The actors seen so far stay in the filter while a filtered page loads.
    let actors = RwSignal::new(Vec::new());
    view! {
        <Title text="Audit Log"/>
        <h1>"Audit Log"</h1>
        <p class="lead">"Every change in this organization: who made it, to what, and when. Secret values, keys and tokens are never recorded."</p>
        <div class="filters">
            <label for="audit-actor">"Actor"</label>
            <select id="audit-actor" on:change=move |ev| {
                pages.reset();
                actor.set(event_target_value(&ev));
            }>
                <option value="" selected=move || actor.get().is_empty()>"Anyone"</option>
                {move || actors.get().into_iter().map(|choice: vocabulary::dto::audit::ActorChoice| {
                    let value = choice.value.clone();
                    view! { <option value=choice.value selected=move || actor.get() == value>{choice.label}</option> }
                }).collect_view()}
            </select>
            <label for="audit-action">"Action"</label>
            <select id="audit-action" on:change=move |ev| {
                pages.reset();
                action.set(event_target_value(&ev));
            }>
                <option value="">"Any action"</option>
                {AuditAction::ALL.iter().map(|a| view! { <option value=a.as_str()>{a.label()}</option> }).collect_view()}
            </select>
        </div>
        <Transition fallback=|| view! { <Loading/> }>
            {move || page.get().map(|result| match result {
                Ok(page) => {
                    actors.set(page.actors.clone());
                    if page.entries.is_empty() {
                        return view! { <p class="empty-state">"No entries match."</p> }.into_any();
                    }
                    view! {
                        <table class="list audit-log">
                            <ColumnHeads columns=&["When", "Who", "What", "Object", "Changes"]/>
                            <tbody>
                                {page.entries.into_iter().map(|entry| view! { <EntryRow entry/> }).collect_view()}
                            </tbody>
                        </table>
                        <Pager pages next=page.next label="Audit log pages"/>
                    }
                    .into_any()
                }
                Err(error) => view! { <ErrorMessage error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn EntryRow(entry: AuditEntryView) -> impl IntoView {
    let object = match entry.href {
        Some(href) => view! { <a href=href>{entry.object}</a> }.into_any(),
        None => view! { <span>{entry.object}</span> }.into_any(),
    };
    view! {
        <tr data-action=entry.action.as_str()>
            <td><Timestamp at=entry.at/></td>
            <td>{entry.actor}</td>
            <td>{entry.action.label()}</td>
            <td>{object}</td>
            <td>
                <dl class="changes">
                    {entry.changes.into_iter().map(|c| view! { <dt>{c.field}</dt> <dd>{c.value}</dd> }).collect_view()}
                </dl>
            </td>
        </tr>
    }
}
