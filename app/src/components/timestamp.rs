use leptos::prelude::*;

/// A time the server sent (RFC 3339, UTC) as people read it: `2026-11-24 05:12 UTC`, with the
/// exact value in `datetime` and on hover.
#[component]
pub fn Timestamp(#[prop(into)] at: String) -> impl IntoView {
    let shown = match at.split_once('T') {
        Some((date, time)) => format!("{date} {} UTC", time.get(..5).unwrap_or(time)),
        None => at.clone(),
    };
    view! { <time datetime=at.clone() title=at>{shown}</time> }
}
