use leptos::prelude::*;
use leptos_meta::Title;

use crate::{api::session::Login, components::error_message::ErrorMessage};

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let pending = login.pending();
    let error = move || login.value().get().and_then(Result::err);

    view! {
        <Title text="Sign in"/>
        <main class="auth">
            <section class="card" aria-labelledby="sign-in-heading">
                <p class="brand">"Wisp"</p>
                <h1 id="sign-in-heading">"Sign in"</h1>
                <ActionForm action=login>
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
                </ActionForm>
            </section>
        </main>
    }
}
