//! Domain values stored as their text and parsed back on every read. A row holding a value Wisp
//! cannot read (an unknown role, a malformed ARN) surfaces as one typed error, [`CorruptValue`],
//! whichever table and type it is: every feature stores its words through [`Text`].
use std::{any::type_name, fmt, str::FromStr, sync::Arc};

use sea_orm::{
    ColIdx, DbErr, IntoActiveValue, QueryResult, TryGetError, TryGetable, Value,
    sea_query::{ArrayType, ColumnType, Nullable, StringLen, ValueType, ValueTypeErr},
};

/// A column holding `T` as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Text<T>(pub T);

/// What was found where a value was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("column {column} holds '{value}', which is not a valid {kind}")]
pub struct CorruptValue {
    pub column: String,
    pub kind: &'static str,
    pub value: String,
}

impl CorruptValue {
    /// The corrupt value behind a database error, if that is what it is.
    pub fn in_error(error: &DbErr) -> Option<Self> {
        match error {
            DbErr::TryIntoErr { source, .. } => source.downcast_ref::<CorruptValue>().cloned(),
            _ => None,
        }
    }
}

fn short_type_name<T>() -> &'static str {
    let name = type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

impl<T: fmt::Display> From<Text<T>> for Value {
    fn from(value: Text<T>) -> Self {
        Value::String(Some(value.0.to_string()))
    }
}

impl<T: FromStr> TryGetable for Text<T> {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        let text = String::try_get_by(res, index)?;
        text.parse().map(Text).map_err(|_| {
            let corrupt = CorruptValue {
                column: format!("{index:?}").replace('"', ""),
                kind: short_type_name::<T>(),
                value: text,
            };
            TryGetError::DbErr(DbErr::TryIntoErr {
                from: "text",
                into: short_type_name::<T>(),
                source: Arc::new(corrupt),
            })
        })
    }
}

impl<T: FromStr> ValueType for Text<T> {
    fn try_from(value: Value) -> Result<Self, ValueTypeErr> {
        let text = <String as ValueType>::try_from(value)?;
        text.parse().map(Text).map_err(|_| ValueTypeErr)
    }

    fn type_name() -> String {
        format!("Text<{}>", short_type_name::<T>())
    }

    fn array_type() -> ArrayType {
        ArrayType::String
    }

    fn column_type() -> ColumnType {
        ColumnType::String(StringLen::None)
    }
}

impl<T> Nullable for Text<T> {
    fn null() -> Value {
        Value::String(None)
    }
}

impl<T: fmt::Display> IntoActiveValue<Text<T>> for Text<T> {
    fn into_active_value(self) -> sea_orm::ActiveValue<Text<T>> {
        sea_orm::ActiveValue::Set(self)
    }
}
