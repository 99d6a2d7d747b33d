//! Members: people in the organization and their roles.
pub mod api;

use leptos::prelude::*;
use leptos_meta::Title;
use vocabulary::{
    access::{self, Permission, Role},
    dto::members::MemberView,
};

use crate::{
    components::{
        column_heads::ColumnHeads, confirm_button::ConfirmButton, error_message::ErrorMessage, loading::Loading,
        row_actions::RowActions,
    },
    pages::settings::member_can,
};

#[component]
pub fn MembersPage() -> impl IntoView {
    let can_manage = member_can(Permission::manage(access::Resource::Members));
    let change = ServerAction::<api::ChangeMemberRole>::new();
    let remove = ServerAction::<api::RemoveMember>::new();
    let members = Resource::new(move || (change.version().get(), remove.version().get()), |_| api::list_members());
    let action_error =
        move || change.value().get().and_then(Result::err).or_else(|| remove.value().get().and_then(Result::err));

    view! {
        <Title text="Members"/>
        <h1>"Members"</h1>
        <p class="lead">"People in this organization and what their role lets them do."</p>
        {move || action_error().map(|error| view! { <ErrorMessage error/> })}
        <p class="saved" role="status">
            {move || {
                let changed = change.input().get().is_none() && matches!(change.value().get(), Some(Ok(())));
                changed.then_some("Role saved.")
            }}
        </p>
        <Transition fallback=|| view! { <Loading/> }>
            {move || {
                members.get().map(|result| match result {
                    Ok(list) => view! {
                        <table class="list">
                            <ColumnHeads columns=&["Email", "Role"] actions=can_manage/>
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
    change: ServerAction<api::ChangeMemberRole>,
    remove: ServerAction<api::RemoveMember>,
) -> impl IntoView {
    let user_id = member.user_id;
    let email = member.email.clone();
    let you = member.is_you.then_some(" (you)");
    let role_cell = if can_manage {
        let current = member.role;
        view! {
            <select
                aria-label=format!("Role of {email}")
                on:change=move |ev| {
                    if let Ok(role) = event_target_value(&ev).parse::<Role>() {
                        change.dispatch(api::ChangeMemberRole { user_id, role });
                    }
                }
            >
                {Role::ALL
                    .iter()
                    .map(|role| view! { <option value=role.as_str() selected=*role == current>{role.as_str()}</option> })
                    .collect_view()}
            </select>
        }
        .into_any()
    } else {
        view! { <span>{member.role.as_str()}</span> }.into_any()
    };
    let actions = can_manage.then(|| {
        view! {
            <RowActions>
                <ConfirmButton
                    label="Remove"
                    question=format!("Remove {email}?")
                    confirm="Remove member"
                    on_confirm=move |()| {
                        remove.dispatch(api::RemoveMember { user_id });
                    }
                />
            </RowActions>
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
