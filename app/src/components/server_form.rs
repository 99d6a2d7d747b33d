use leptos::ev::SubmitEvent;
use leptos::{form::FromFormData, prelude::*, server_fn::ServerFn};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A `<form>` that posts to a server function: a plain form POST when the page has no
/// JavaScript (the server answers with a redirect), the server action when it has. Unlike
/// Leptos's `ActionForm`, it works with any input encoding, so the function can also take JSON.
#[component]
pub fn ServerForm<ServFn>(
    action: ServerAction<ServFn>,
    #[prop(optional)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView
where
    ServFn: ServerFn<Error = AppError> + DeserializeOwned + Clone + Send + Sync + 'static,
    ServFn::Output: Send + Sync + 'static,
{
    let on_submit = move |ev: SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        match ServFn::from_event(&ev) {
            Ok(input) => {
                action.dispatch(input);
            }
            Err(error) => {
                action.value().set(Some(Err(crate::error::internal(format!("the form could not be read: {error}")))));
            }
        }
    };
    view! {
        <form action=ServFn::url() method="post" class=class on:submit=on_submit>
            {children()}
        </form>
    }
}
