use leptos::prelude::*;

/// Things that work now but will fail later (what AWS would refuse); nothing when there are none.
#[component]
pub fn WarningList(warnings: Vec<String>, #[prop(optional)] label: Option<&'static str>) -> impl IntoView {
    (!warnings.is_empty()).then(|| {
        view! {
            <ul class="warnings" aria-label=label>
                {warnings.into_iter().map(|w| view! { <li class="warning">{w}</li> }).collect_view()}
            </ul>
        }
    })
}
