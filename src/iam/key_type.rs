//! The condition key types of the IAM reference, shared by `build.rs` (which numbers each key's
//! type into the catalog's tables) and `catalog.rs` (which reads the numbers back), so both agree
//! by construction.

/// The type of a condition key's values, as the reference gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    String,
    Arn,
    Bool,
    Date,
    Numeric,
    IpAddress,
    ArrayOfString,
    ArrayOfArn,
    ArrayOfBool,
}

/// Each type with the reference's name for it; a type's number is its position here.
const NAMED: [(KeyType, &str); 9] = [
    (KeyType::String, "String"),
    (KeyType::Arn, "ARN"),
    (KeyType::Bool, "Bool"),
    (KeyType::Date, "Date"),
    (KeyType::Numeric, "Numeric"),
    (KeyType::IpAddress, "IPAddress"),
    (KeyType::ArrayOfString, "ArrayOfString"),
    (KeyType::ArrayOfArn, "ArrayOfARN"),
    (KeyType::ArrayOfBool, "ArrayOfBool"),
];

impl KeyType {
    /// The type the reference calls `name` (`IPAddress`).
    pub fn named(name: &str) -> Option<KeyType> {
        NAMED.iter().find(|(_, n)| *n == name).map(|&(t, _)| t)
    }

    /// Its number in the catalog's tables.
    pub fn number(self) -> u32 {
        NAMED
            .iter()
            .position(|&(t, _)| t == self)
            .expect("every type is named") as u32
    }

    /// The type numbered `n` (`number`).
    pub fn from_number(n: u32) -> KeyType {
        NAMED[n as usize].0
    }

    /// The type of one of the values (`Bool` for `ArrayOfBool`).
    pub fn element(self) -> KeyType {
        match self {
            KeyType::ArrayOfString => KeyType::String,
            KeyType::ArrayOfArn => KeyType::Arn,
            KeyType::ArrayOfBool => KeyType::Bool,
            other => other,
        }
    }
}
