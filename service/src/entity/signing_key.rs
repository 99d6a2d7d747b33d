use sea_orm::entity::prelude::*;
use vocabulary::token::{KeyState, SigningAlgorithm};

use crate::db::text::Text;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signing_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// RFC 7638 thumbprint of the public key.
    #[sea_orm(unique)]
    pub kid: String,
    pub alg: Text<SigningAlgorithm>,
    pub state: Text<KeyState>,
    /// `generated` by Wisp or `imported` by an operator.
    pub origin: String,
    /// The public half as the JWKS carries it.
    pub public_jwk: String,
    /// The private half (PKCS#8 PEM) sealed under the master key, bound to this row; erased when
    /// the key is removed or revoked.
    #[sea_orm(column_type = "VarBinary(StringLen::None)")]
    pub sealed_private_key: Option<Vec<u8>>,
    pub master_key_id: Option<String>,
    pub published_at: ChronoDateTimeUtc,
    /// When an operator asked for this next key to take over (`wisp keys rotate`, `import`);
    /// otherwise the rotation period decides.
    pub activate_at: Option<ChronoDateTimeUtc>,
    pub activated_at: Option<ChronoDateTimeUtc>,
    pub retired_at: Option<ChronoDateTimeUtc>,
    pub remove_after: Option<ChronoDateTimeUtc>,
    pub removed_at: Option<ChronoDateTimeUtc>,
}

// By hand, so a log line never carries the sealed key.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg.0)
            .field("state", &self.state.0)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
