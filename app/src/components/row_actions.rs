use leptos::prelude::*;

/// A list row's buttons. They wrap onto further lines rather than take the width the row's data
/// needs: a role ARN beside six buttons stays readable.
#[component]
pub fn RowActions(children: Children) -> impl IntoView {
    view! {
        <td class="actions">
            <div class="row-actions">{children()}</div>
        </td>
    }
}
