//! Pickers for the vocabulary's values: what they offer always parses.
use std::str::FromStr;

use leptos::prelude::*;
use vocabulary::aws::Region;

/// Sets `signal` to the picked option, parsed.
pub fn choose<T: FromStr + Send + Sync + 'static>(signal: RwSignal<T>) -> impl Fn(leptos::ev::Event) {
    move |ev| {
        if let Ok(chosen) = event_target_value(&ev).parse() {
            signal.set(chosen);
        }
    }
}

/// Every AWS region Wisp knows, with where it is.
#[component]
pub fn RegionSelect(id: &'static str, region: RwSignal<Region>) -> impl IntoView {
    view! {
        <select id=id aria-describedby=format!("{id}-error") on:change=choose(region)>
            {Region::all()
                .map(|r| view! {
                    <option value=r.as_str() selected=move || region.get() == r>
                        {format!("{} — {}", r.as_str(), r.location())}
                    </option>
                })
                .collect_view()}
        </select>
    }
}
