//! Hydrates the server-rendered page: the browser takes over the HTML the server sent.
#![recursion_limit = "512"]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // The page's own code is a chunk the router loads first; the page is interactive once it is
    // hydrated, which the mark on <body> tells (the browser tests wait for it).
    _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else { return };
        leptos::mount::hydrate_from_async(body.clone(), app::App).await.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
