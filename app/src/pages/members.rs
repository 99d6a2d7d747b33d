use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{
        members::{ChangeMemberRole, MemberView, ROLES, RemoveMember, list_members},
        session::SessionInfo,
    },
    components::error_message::ErrorMessage,
};

#[component]
pub fn MembersPage() -> impl IntoView {
    let can_manage = use_context::<SessionInfo>().is_some_and(|info| info.can.members_manage);
    let change = ServerAction::<ChangeMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let members = Resource::new(move || (change.version().get(), remove.version().get()), |_| list_members());
    let action_error =
        move || change.value().get().and_then(Result::err).or_else(|| remove.value().get().and_then(Result::err));

    view! {
        <Title text="Members"/>
        <h1>"Members"</h1>
        <p class="lead">"People in this organization and what their role lets them do."</p>
        {move || action_error().map(|error| view! { <ErrorMessage error/> })}
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || {
                members.get().map(|result| match result {
                    Ok(list) => view! {
                        <table class="list">
                            <thead>
                                <tr>
                                    <th scope="col">"Email"</th>
                                    <th scope="col">"Role"</th>
                                    {can_manage.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .into_iter()
                                    .map(|member| view! { <MemberRow member can_manage change remove/> })
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
fn MemberRow(
    member: MemberView,
    can_manage: bool,
    change: ServerAction<ChangeMemberRole>,
    remove: ServerAction<RemoveMember>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let user_id = member.user_id;
    let email = member.email.clone();
    let you = member.is_you.then_some(" (you)");
    let role_cell = if can_manage {
        let current = member.role.clone();
        view! {
            <select
                aria-label=format!("Role of {email}")
                on:change=move |ev| {
                    change.dispatch(ChangeMemberRole { user_id, role: event_target_value(&ev) });
                }
            >
                {ROLES
                    .iter()
                    .map(|role| view! { <option value=*role selected=*role == current>{*role}</option> })
                    .collect_view()}
            </select>
        }
        .into_any()
    } else {
        view! { <span>{member.role.clone()}</span> }.into_any()
    };
    let actions = can_manage.then(|| {
        let email = email.clone();
        view! {
            <td class="actions">
                <Show
                    when=move || confirming.get()
                    fallback=move || view! {
                        <button type="button" class="secondary small" on:click=move |_| confirming.set(true)>"Remove"</button>
                    }
                >
                    <span>{format!("Remove {email}?")}</span>
                    <button
                        type="button"
                        class="danger small"
                        on:click=move |_| {
                            remove.dispatch(RemoveMember { user_id });
                            confirming.set(false);
                        }
                    >
                        "Remove member"
                    </button>
                    <button type="button" class="secondary small" on:click=move |_| confirming.set(false)>"Cancel"</button>
                </Show>
            </td>
        }
    });
    view! {
        <tr>
            <td>{member.email.clone()}{you}</td>
            <td>{role_cell}</td>
            {actions}
        </tr>
    }
}
