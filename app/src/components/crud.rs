//! What every settings page of editable objects shares: which object the form edits, the four
//! actions, a reload of the list after each saved change (a refused form keeps what was typed),
//! and the error of the last row action.
use leptos::{prelude::*, server_fn::ServerFn};

use crate::error::AppError;

/// What the form is editing: a new object, or an existing one.
#[derive(Clone, Debug, PartialEq)]
pub enum Editing<T> {
    New,
    Existing(T),
}

pub struct Crud<T: 'static, C: ServerFn + 'static, U: ServerFn + 'static, M: ServerFn + 'static, D: ServerFn + 'static>
{
    pub editing: RwSignal<Option<Editing<T>>>,
    pub create: ServerAction<C>,
    pub update: ServerAction<U>,
    pub make_default: ServerAction<M>,
    pub delete: ServerAction<D>,
    /// Bumped after every saved change: the list's resource reloads on it.
    pub saved: RwSignal<u32>,
}

impl<T, C, U, M, D> Clone for Crud<T, C, U, M, D>
where
    C: ServerFn + 'static,
    U: ServerFn + 'static,
    M: ServerFn + 'static,
    D: ServerFn + 'static,
{
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, C, U, M, D> Copy for Crud<T, C, U, M, D>
where
    C: ServerFn + 'static,
    U: ServerFn + 'static,
    M: ServerFn + 'static,
    D: ServerFn + 'static,
{
}

impl<T, C, U, M, D> Crud<T, C, U, M, D>
where
    T: Send + Sync + 'static,
    C: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    U: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    M: ServerFn<Error = AppError, Output = ()> + Clone + Send + Sync + 'static,
    D: ServerFn<Error = AppError, Output = ()> + Clone + Send + Sync + 'static,
    C::Output: Clone + Send + Sync + 'static,
    U::Output: Clone + Send + Sync + 'static,
{
    pub fn new() -> Self {
        let crud = Self {
            editing: RwSignal::new(None),
            create: ServerAction::new(),
            update: ServerAction::new(),
            make_default: ServerAction::new(),
            delete: ServerAction::new(),
            saved: RwSignal::new(0),
        };
        let reload = move || crud.saved.update(|n| *n += 1);
        Effect::new(move |_| {
            if matches!(crud.create.value().get(), Some(Ok(_))) || matches!(crud.update.value().get(), Some(Ok(_))) {
                crud.editing.set(None);
                reload();
            }
        });
        Effect::new(move |_| {
            if matches!(crud.make_default.value().get(), Some(Ok(())))
                || matches!(crud.delete.value().get(), Some(Ok(())))
            {
                reload();
            }
        });
        crud
    }

    /// Why the last "Make default" or "Delete" was refused, if it was.
    pub fn row_error(self) -> Option<AppError> {
        self.make_default
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| self.delete.value().get().and_then(Result::err))
    }

    /// The form's error: of the update when editing, of the create otherwise.
    pub fn form_error(self, editing_existing: bool) -> Option<AppError> {
        if editing_existing {
            self.update.value().get().and_then(Result::err)
        } else {
            self.create.value().get().and_then(Result::err)
        }
    }

    pub fn saving(self) -> bool {
        self.create.pending().get() || self.update.pending().get()
    }
}
