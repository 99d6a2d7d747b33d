//! The Environment Variables section: the table, each row's source and delivery, and the
//! actions on them (add, edit, delete, paste a `.env` block).
use leptos::prelude::*;
use vocabulary::{
    dto::automations::{SourceView, VariableView},
    env::Delivery,
    ids::AutomationId,
};

use super::api;
use crate::{
    components::{
        column_heads::ColumnHeads, confirm_button::ConfirmButton, crud::Editing, field::Field, form_card::FormCard,
        row_actions::RowActions,
    },
    error::AppError,
};

/// The section's actions; the page reloads after each saved change.
#[derive(Clone, Copy)]
pub struct Variables {
    pub automation: AutomationId,
    pub editing: RwSignal<Option<Editing<VariableView>>>,
    pub importing: RwSignal<bool>,
    pub add: ServerAction<api::AddVariable>,
    pub update: ServerAction<api::UpdateVariable>,
    pub delete: ServerAction<api::DeleteVariable>,
    pub import: ServerAction<api::ImportVariables>,
}

impl Variables {
    pub fn new(automation: AutomationId) -> Self {
        let actions = Self {
            automation,
            editing: RwSignal::new(None),
            importing: RwSignal::new(false),
            add: ServerAction::new(),
            update: ServerAction::new(),
            delete: ServerAction::new(),
            import: ServerAction::new(),
        };
        Effect::new(move |_| {
            if matches!(actions.add.value().get(), Some(Ok(_))) || matches!(actions.update.value().get(), Some(Ok(_))) {
                actions.editing.set(None);
            }
        });
        actions
    }

    /// Changes with every saved change: the page's resource reloads on it.
    pub fn version(self) -> usize {
        self.add.version().get()
            + self.update.version().get()
            + self.delete.version().get()
            + self.import.version().get()
    }

    pub fn form_error(self, editing_existing: bool) -> Option<AppError> {
        if editing_existing {
            self.update.value().get().and_then(Result::err)
        } else {
            self.add.value().get().and_then(Result::err)
        }
    }

    pub fn saving(self) -> bool {
        self.add.pending().get() || self.update.pending().get()
    }

    pub fn row_error(self) -> Option<AppError> {
        self.delete.value().get().and_then(Result::err)
    }
}

/// `rotation-aware` or `baked at deploy`, explained on hover and on keyboard focus (the
/// WAI-ARIA tooltip pattern: the explanation describes the focusable badge).
#[component]
pub fn DeliveryBadge(delivery: Delivery, id: String) -> impl IntoView {
    let (tip, described_by) = (format!("{id}-tip"), format!("{id}-tip"));
    view! {
        <span class="badge delivery" data-delivery=delivery.as_str() tabindex="0" aria-describedby=described_by>
            {delivery.label()}
            <span class="tooltip" id=tip role="tooltip">{delivery.explanation()}</span>
        </span>
    }
}

#[component]
pub fn VariableTable(variables: Vec<VariableView>, can_manage: bool, actions: Variables) -> impl IntoView {
    view! {
        <table class="list variables">
            <ColumnHeads columns=&["Key", "Source", "Delivery"] actions=can_manage/>
            <tbody>
                {variables
                    .into_iter()
                    .map(|variable| view! { <VariableRow variable can_manage actions/> })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn VariableRow(variable: VariableView, can_manage: bool, actions: Variables) -> impl IntoView {
    let id = variable.id;
    let source = match &variable.source {
        SourceView::Plain { value: Some(value), .. } => {
            view! { "Plain value " <code class="value">{value.clone()}</code> }.into_any()
        }
        SourceView::Plain { .. } => {
            view! { "Plain value " <span class="muted">"(sensitive, hidden)"</span> }.into_any()
        }
        SourceView::Secret { credential_name, secret_name, json_key, .. } => view! {
            "Secret " <code>{secret_name.to_string()}</code>
            {json_key.as_ref().map(|k| view! { " → " <code>{k.to_string()}</code> })}
            <span class="muted">{format!(" via {credential_name}")}</span>
        }
        .into_any(),
    };
    let delivery = match &variable.source {
        SourceView::Secret { delivery, .. } => Some(*delivery),
        SourceView::Plain { .. } => None,
    };
    let manage = can_manage.then(|| {
        let edited = variable.clone();
        let question = format!("Delete {}?", variable.key);
        view! {
            <RowActions>
                <button type="button" class="secondary small" on:click=move |_| actions.editing.set(Some(Editing::Existing(edited.clone())))>
                    "Edit"
                </button>
                <ConfirmButton
                    label="Delete"
                    question=question
                    confirm="Delete variable"
                    on_confirm=move |()| {
                        actions.delete.dispatch(api::DeleteVariable { id });
                    }
                />
            </RowActions>
        }
    });
    view! {
        <tr data-key=variable.key.to_string()>
            <th scope="row">
                <code>{variable.key.to_string()}</code>
                {variable.warning.clone().map(|w| view! { <p class="field-note warning">{w}</p> })}
            </th>
            <td>{source}</td>
            <td>{delivery.map(|delivery| view! { <DeliveryBadge delivery id=format!("delivery-{id}")/> })}</td>
            {manage}
        </tr>
    }
}

/// Paste a `.env` block: each entry becomes a plain variable; each line that cannot is listed.
#[component]
pub fn ImportForm(actions: Variables) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let error = Signal::derive(move || actions.import.value().get().and_then(Result::err));
    let field_error = Signal::derive(move || error.get().and_then(|e| e.for_field("text")));
    view! {
        <FormCard
            heading="Paste .env".to_owned()
            editing_existing=false
            submit_label="Add variables"
            pending=actions.import.pending()
            error
            on_submit=move |()| {
                actions.import.dispatch(api::ImportVariables { automation: actions.automation, text: text.get() });
            }
            on_cancel=move |()| actions.importing.set(false)
        >
            <Field id="var-import" label=".env lines" error=field_error>
                <textarea id="var-import" rows="8" spellcheck="false" aria-describedby="var-import-error var-import-note"
                    placeholder="LOG_LEVEL=debug\nGREETING=\"hello world\""
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <p id="var-import-note" class="field-note">
                    "One KEY=value per line; # starts a comment; quotes keep spaces. Each becomes a plain value; $VAR is kept as typed."
                </p>
            </Field>
        </FormCard>
        {move || actions.import.value().get().and_then(Result::ok).map(|report| view! {
            <div class="import-report" role="status">
                <p>{match report.added.len() {
                    0 => "No variable was added.".to_owned(),
                    1 => format!("Added {}.", report.added[0]),
                    n => format!("Added {n} variables: {}.", report.added.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
                }}</p>
                {(!report.problems.is_empty()).then(|| view! {
                    <ul class="line-problems">
                        {report.problems.into_iter().map(|p| view! { <li>{format!("Line {}: {}", p.line, p.message)}</li> }).collect_view()}
                    </ul>
                })}
            </div>
        })}
    }
}
