use leptos::prelude::*;

/// A destructive action asked twice: `label` opens the question, `confirm` does it, Cancel (or
/// Escape) backs out.
#[component]
pub fn ConfirmButton(
    label: &'static str,
    #[prop(into)] question: String,
    confirm: &'static str,
    #[prop(into)] on_confirm: Callback<()>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    view! {
        <Show
            when=move || asking.get()
            fallback=move || view! {
                <button type="button" class="secondary small" on:click=move |_| asking.set(true)>{label}</button>
            }
        >
            <span class="confirm" on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    asking.set(false);
                }
            }>
                <span>{question.clone()}</span>
                <button type="button" class="danger small" on:click=move |_| {
                    on_confirm.run(());
                    asking.set(false);
                }>{confirm}</button>
                <button type="button" class="secondary small" on:click=move |_| asking.set(false)>"Cancel"</button>
            </span>
        </Show>
    }
}
