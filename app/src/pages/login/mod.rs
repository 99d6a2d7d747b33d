//! Sign in. A plain form POST, so it works before the page is interactive and without
//! JavaScript; with it, the same form runs as a server action.
pub mod api;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::{error_message::ErrorMessage, server_form::ServerForm};

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<api::Login>::new();
    let pending = login.pending();
    let error = move || login.value().get().and_then(Result::err);
    let next = use_query_map().with_untracked(|query| query.get("next")).unwrap_or_default();

    view! {
        <Title text="Sign in"/>
        <main class="auth">
            <section class="card" aria-labelledby="sign-in-heading">
                <p class="brand">"Wisp"</p>
                <h1 id="sign-in-heading">"Sign in"</h1>
                <ServerForm action=login>
                    <input type="hidden" name="next" value=next/>
                    <div class="field">
                        <label for="email">"Email"</label>
                        <input id="email" type="email" name="email" autocomplete="username" required autofocus/>
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input id="password" type="password" name="password" autocomplete="current-password" required/>
                    </div>
                    {move || error().map(|error| view! { <ErrorMessage error/> })}
                    <button type="submit" class="primary" disabled=pending>"Sign in"</button>
                </ServerForm>
            </section>
        </main>
    }
}
