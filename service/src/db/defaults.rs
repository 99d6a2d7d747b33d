//! The one mechanism every "default per (organization, provider)" uses: a partial unique index
//! in the database (at most one row `WHERE is_default` per slot), and changes made under the
//! organization's lock (`lock_organization`), so concurrent requests take turns rather than fail.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Value, sea_query::Expr};
use vocabulary::ids::OrgId;

use crate::error::ServiceResult;

/// Whether a new row becomes its slot's default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultChoice {
    /// The first row of a slot becomes the default; later ones do not.
    Automatic,
    Yes,
    No,
}

impl From<Option<bool>> for DefaultChoice {
    fn from(choice: Option<bool>) -> Self {
        match choice {
            None => DefaultChoice::Automatic,
            Some(true) => DefaultChoice::Yes,
            Some(false) => DefaultChoice::No,
        }
    }
}

/// The columns of a table's default slot: its organization, what it is the default for, the flag.
pub struct DefaultSlot<C> {
    pub org: C,
    pub scope: C,
    pub is_default: C,
}

impl<C: ColumnTrait> DefaultSlot<C> {
    /// Whether a new row in the slot `(org, scope)` is to be its default. Call under the lock.
    pub async fn decide<E: EntityTrait<Column = C>>(
        &self,
        db: &impl ConnectionTrait,
        org: OrgId,
        scope: impl Into<Value>,
        choice: DefaultChoice,
    ) -> ServiceResult<bool>
    where
        E::Model: Sync,
    {
        Ok(match choice {
            DefaultChoice::Yes => true,
            DefaultChoice::No => false,
            DefaultChoice::Automatic => {
                E::find().filter(self.org.eq(org.as_uuid())).filter(self.scope.eq(scope)).count(db).await? == 0
            }
        })
    }

    /// Clears the slot, before another row takes it. Call under the lock.
    pub async fn clear<E: EntityTrait<Column = C>>(
        &self,
        db: &impl ConnectionTrait,
        org: OrgId,
        scope: impl Into<Value>,
    ) -> ServiceResult<()> {
        E::update_many()
            .col_expr(self.is_default, Expr::value(false))
            .filter(self.org.eq(org.as_uuid()))
            .filter(self.scope.eq(scope))
            .filter(self.is_default.eq(true))
            .exec(db)
            .await?;
        Ok(())
    }
}
