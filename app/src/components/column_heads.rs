use leptos::prelude::*;

/// A list table's header row: a `th scope="col"` per column, and a visually hidden "Actions"
/// column when the rows carry buttons.
#[component]
pub fn ColumnHeads(columns: &'static [&'static str], #[prop(optional)] actions: bool) -> impl IntoView {
    view! {
        <thead>
            <tr>
                {columns.iter().map(|column| view! { <th scope="col">{*column}</th> }).collect_view()}
                {actions.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
            </tr>
        </thead>
    }
}
