use leptos::{prelude::*, task::spawn_local};

/// Copies `text` to the clipboard and says so where screen readers hear it.
#[component]
pub fn CopyButton(#[prop(into)] text: String, #[prop(into)] label: String) -> impl IntoView {
    let (status, set_status) = signal(String::new());
    let copy = move |_| {
        let text = text.clone();
        spawn_local(async move {
            let clipboard = window().navigator().clipboard();
            let copied = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await.is_ok();
            set_status.set(if copied {
                "Copied".to_owned()
            } else {
                "Copy failed: select the text and copy it".to_owned()
            });
        });
    };
    view! {
        <button type="button" class="secondary small" on:click=copy aria-label=label>"Copy"</button>
        <span class="copy-status" role="status">{status}</span>
    }
}
