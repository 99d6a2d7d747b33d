use leptos::prelude::*;

/// Cursor paging, newest first: the cursor of the page shown and those of the newer pages above
/// it, so **Newer** goes back the way **Older** came.
pub struct Pages<C: Clone + Send + Sync + 'static> {
    cursor: RwSignal<Option<C>>,
    newer: RwSignal<Vec<Option<C>>>,
}

// By hand: signals are `Copy` whatever they hold, which a derive would not see.
impl<C: Clone + Send + Sync + 'static> Clone for Pages<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: Clone + Send + Sync + 'static> Copy for Pages<C> {}

impl<C: Clone + Send + Sync + 'static> Pages<C> {
    pub fn new() -> Self {
        Self { cursor: RwSignal::new(None), newer: RwSignal::new(Vec::new()) }
    }

    /// The cursor of the page to show; tracked, for a resource to load on.
    pub fn cursor(self) -> Option<C> {
        self.cursor.get()
    }

    pub fn is_first(self) -> bool {
        self.cursor.with(Option::is_none)
    }

    /// Back to the newest page (the filter or the data changed).
    pub fn reset(self) {
        self.newer.set(Vec::new());
        self.cursor.set(None);
    }

    fn older(self, next: C) {
        self.newer.update(|stack| stack.push(self.cursor.get_untracked()));
        self.cursor.set(Some(next));
    }

    fn back(self) {
        let mut stack = self.newer.get_untracked();
        let previous = stack.pop().flatten();
        self.newer.set(stack);
        self.cursor.set(previous);
    }
}

#[component]
pub fn Pager<C: Clone + Send + Sync + 'static>(pages: Pages<C>, next: Option<C>, label: &'static str) -> impl IntoView {
    view! {
        <nav class="pager" aria-label=label>
            {move || (!pages.newer.with(Vec::is_empty)).then(|| view! {
                <button type="button" class="secondary small" on:click=move |_| pages.back()>"Newer"</button>
            })}
            {next.map(|next| view! {
                <button type="button" class="secondary small" on:click=move |_| pages.older(next.clone())>"Older"</button>
            })}
        </nav>
    }
}
