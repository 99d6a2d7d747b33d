//! The Secret Name field: a WAI-ARIA 1.2 combobox with a list of suggestions from the chosen
//! credential's `ListSecrets` (or, for Vault, a `LIST` of the typed folder: picking a folder goes
//! on down into it), asked 250 ms after the last keystroke. Down/Up move through the
//! suggestions, Home/End jump to the first and last, Enter picks without submitting the form,
//! Escape closes the list only. Whatever is typed stays the value: a secret made minutes ago
//! may not be listed yet.
use std::time::Duration;

use leptos::{prelude::*, task::spawn_local};
use vocabulary::{
    ErrorCode,
    dto::automations::{SecretSuggestion, SuggestionProblem},
    ids::CredentialId,
    providers::SecretStore,
};

use super::api;
use crate::{components::copy_button::CopyButton, error::AppError};

const DEBOUNCE: Duration = Duration::from_millis(250);
const LISTBOX: &str = "var-secret-name-listbox";

fn option_id(index: usize) -> String {
    format!("{LISTBOX}-{index}")
}

/// What the field says under itself about the suggestions.
#[derive(Clone, Debug, PartialEq)]
enum Status {
    Idle,
    Looking,
    Answered { query: String, count: usize },
    Problem(SuggestionProblem),
    Failed(AppError),
}

#[component]
pub fn SecretNameField(
    id: &'static str,
    credential: Signal<Option<CredentialId>>,
    /// Where the credential reads: an empty answer names it, since a secret in another region (or
    /// mount) is the usual reason a name is not found.
    store: Signal<Option<SecretStore>>,
    value: RwSignal<String>,
    #[prop(into)] invalid: Signal<bool>,
) -> impl IntoView {
    let suggestions = RwSignal::new(Vec::<SecretSuggestion>::new());
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    let status = RwSignal::new(Status::Idle);
    // Each lookup's number: an answer to anything but the latest keystroke is dropped.
    let latest = StoredValue::new(0u64);

    let close = move || {
        open.set(false);
        active.set(None);
    };
    let look_up = move |delay: Duration| {
        let Some(credential) = credential.get_untracked() else { return };
        latest.update_value(|n| *n += 1);
        let mine = latest.get_value();
        let current = move || latest.try_get_value() == Some(mine);
        set_timeout(
            move || {
                if !current() {
                    return;
                }
                let query = value.get_untracked();
                status.set(Status::Looking);
                spawn_local(async move {
                    let answer = api::suggest_secret_names(credential, query.clone()).await;
                    if !current() {
                        return;
                    }
                    match answer {
                        Ok(answer) => {
                            let count = answer.suggestions.len();
                            suggestions.set(answer.suggestions);
                            active.set(None);
                            open.set(count > 0);
                            status.set(match answer.problem {
                                Some(problem) => Status::Problem(problem),
                                None => Status::Answered { query, count },
                            });
                        }
                        Err(error) => {
                            close();
                            status.set(Status::Failed(error));
                        }
                    }
                });
            },
            delay,
        );
    };
    // Another credential lists other secrets.
    Effect::new(move |previous: Option<Option<CredentialId>>| {
        let now = credential.get();
        if previous.is_some_and(|p| p != now) {
            suggestions.set(Vec::new());
            close();
            status.set(Status::Idle);
        }
        now
    });
    let pick = move |index: usize| {
        if let Some(chosen) = suggestions.with_untracked(|all| all.get(index).map(|s| s.name.clone())) {
            let folder = chosen.ends_with('/');
            value.set(chosen);
            latest.update_value(|n| *n += 1);
            close();
            // A Vault folder: what is in it comes next.
            if folder {
                look_up(Duration::ZERO);
            }
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let count = suggestions.with_untracked(Vec::len);
        let is_open = open.get_untracked() && count > 0;
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                if is_open {
                    active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % count)));
                } else if count > 0 {
                    open.set(true);
                    active.set(Some(0));
                } else {
                    look_up(Duration::ZERO);
                }
            }
            "ArrowUp" if is_open => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(count - 1, |i| (i + count - 1) % count)));
            }
            "Home" if is_open => {
                ev.prevent_default();
                active.set(Some(0));
            }
            "End" if is_open => {
                ev.prevent_default();
                active.set(Some(count - 1));
            }
            "Enter" if is_open => {
                if let Some(index) = active.get_untracked() {
                    ev.prevent_default();
                    pick(index);
                }
            }
            // Only the list closes: the form around stays open.
            "Escape" if is_open => {
                ev.prevent_default();
                ev.stop_propagation();
                close();
            }
            "Tab" => close(),
            _ => {}
        }
    };
    // The active option stays in view as the list scrolls.
    Effect::new(move |_| {
        if let Some(index) = active.get()
            && let Some(option) = document().get_element_by_id(&option_id(index))
        {
            option.scroll_into_view_with_bool(false);
        }
    });

    view! {
        <div class="combobox">
            <input
                id=id
                type="text"
                role="combobox"
                autocomplete="off"
                spellcheck="false"
                placeholder="Start typing a secret's name"
                aria-autocomplete="list"
                aria-controls=LISTBOX
                aria-expanded=move || (open.get() && !suggestions.with(Vec::is_empty)).to_string()
                aria-activedescendant=move || active.get().map(option_id)
                aria-describedby=format!("{id}-error {id}-status")
                aria-invalid=move || invalid.get().to_string()
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    look_up(DEBOUNCE);
                }
                on:keydown=on_keydown
                on:blur=move |_| close()
            />
            // Keeps the focus in the field, so a click (or a drag of the scroll bar) lands before a
            // blur closes the list.
            <ul id=LISTBOX role="listbox" aria-label="Secret names" class="listbox" hidden=move || !open.get()
                on:mousedown=|ev| ev.prevent_default()>
                {move || {
                    suggestions
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(index, suggestion)| {
                            let meta: Vec<String> = suggestion
                                .description
                                .iter()
                                .cloned()
                                .chain(suggestion.last_changed.iter().map(|d| format!("changed {d}")))
                                .collect();
                            view! {
                                <li
                                    id=option_id(index)
                                    role="option"
                                    aria-selected=move || (active.get() == Some(index)).to_string()
                                    on:click=move |_| pick(index)
                                >
                                    <span class="option-name">{suggestion.name}</span>
                                    {(!meta.is_empty()).then(|| view! { <span class="option-meta">{meta.join(" · ")}</span> })}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <div id=format!("{id}-status") class="combobox-status" role="status">
                {move || match status.get() {
                    Status::Idle => ().into_any(),
                    Status::Looking => view! { <p class="field-note">"Looking up secrets…"</p> }.into_any(),
                    Status::Answered { query, count: 0 } => view! {
                        <p class="field-note">
                            {
                                let store = store.get();
                                let place = store.as_ref().map(SecretStore::place).unwrap_or_default();
                                if query.is_empty() {
                                    let field = store.as_ref().map_or("AWS Region", SecretStore::location_field);
                                    format!("This credential lists no secrets{place}. Check the credential's {field}, or type a name.")
                                } else {
                                    format!("No secret starts with \u{201c}{query}\u{201d}{place}. You can still save this name: it is read at kickoff.")
                                }
                            }
                        </p>
                    }
                    .into_any(),
                    Status::Answered { count, .. } => view! {
                        <p class="field-note visually-hidden">{format!("{count} suggestions: use the arrow keys to choose.")}</p>
                    }
                    .into_any(),
                    Status::Problem(problem) => view! { <ProblemNote problem vault=matches!(store.get(), Some(SecretStore::VaultKv2 { .. }))/> }.into_any(),
                    Status::Failed(error) if error.code == ErrorCode::RateLimited => view! {
                        <p class="field-note">"Many lookups at once: suggestions resume in a moment. You can keep typing."</p>
                    }
                    .into_any(),
                    Status::Failed(error) => view! {
                        <p class="field-note warning">{format!("Suggestions are unavailable: {} {}", error.message, error.hint)}</p>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}

/// Why the provider gave no suggestions, what to do, and the statement (or Vault policy rule) to
/// add when it refused.
#[component]
fn ProblemNote(problem: SuggestionProblem, vault: bool) -> impl IntoView {
    let copy_label = if vault { "Copy the policy rule" } else { "Copy the ListSecrets statement" };
    view! {
        <div class="suggestion-problem">
            <p class="warning">{problem.message}</p>
            <p class="field-note">{problem.hint}</p>
            {problem.statement.map(|statement| view! {
                <div class="policy-snippet">
                    <pre><code>{statement.clone()}</code></pre>
                    <CopyButton text=statement label=copy_label/>
                </div>
            })}
        </div>
    }
}
