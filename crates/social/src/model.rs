//! social's domain: posts, comments and the relations between people.

use platform::accounts::{PublicUser, UserId};
use platform::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

platform::id_type!(
    /// A post (text, image, video, link, or a reshare).
    ContentId
);
platform::id_type!(
    /// A comment on a post, possibly a reply to another.
    CommentId
);

/// Longest post or comment text, in characters (seed 004).
pub const MAX_TEXT_CHARS: usize = 5_000;
/// Most hashtags and mentions kept from one text.
pub const MAX_TAGS: usize = 30;
/// Most media attached to one post.
pub const MAX_MEDIA: usize = 10;

/// What kind of post it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContentType {
    Text,
    Image,
    Video,
    Link,
}

/// Who may see a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Anyone not blocked.
    Public,
    /// The author's followers.
    Followers,
    /// The author alone.
    Private,
}

macro_rules! text_enum {
    ($ty:ty { $($variant:ident = $text:literal),+ }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}
text_enum!(ContentType { Text = "text", Image = "image", Video = "video", Link = "link" });
text_enum!(Visibility { Public = "public", Followers = "followers", Private = "private" });

/// Likes, comments, shares and views of a post.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct Engagement {
    pub likes_count: i64,
    pub comments_count: i64,
    pub shares_count: i64,
    pub views_count: i64,
}

/// The body of a post (seed 004's `content` object).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Body {
    pub text: String,
    #[schema(value_type = Vec<String>)]
    pub media_ids: Vec<String>,
    pub hashtags: Vec<String>,
    /// Ids of the mentioned users who exist.
    #[schema(value_type = Vec<String>)]
    pub mentions: Vec<UserId>,
}

/// A post as its readers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Content {
    #[schema(value_type = String)]
    pub id: ContentId,
    #[schema(value_type = String)]
    pub author_id: UserId,
    pub content_type: ContentType,
    pub content: Body,
    pub visibility: Visibility,
    /// The post this one reshares, if it is a share.
    #[schema(value_type = Option<String>)]
    pub reshare_of: Option<ContentId>,
    pub engagement: Engagement,
    /// Whether the reader likes it.
    pub liked: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Who wrote a post, as a timeline names them (the whole profile is at `/api/v1/users/{id}`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Author {
    #[schema(value_type = String)]
    pub id: UserId,
    pub username: String,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
}

impl From<PublicUser> for Author {
    fn from(user: PublicUser) -> Self {
        Self {
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            avatar_url: user.avatar_url,
        }
    }
}

/// A comment with its replies, as a tree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comment {
    #[schema(value_type = String)]
    pub id: CommentId,
    #[schema(value_type = String)]
    pub content_id: ContentId,
    #[schema(value_type = String)]
    pub user_id: UserId,
    #[schema(value_type = Option<String>)]
    pub parent_comment_id: Option<CommentId>,
    pub text: String,
    pub created_at: Timestamp,
    #[schema(no_recursion)]
    pub replies: Vec<Comment>,
}

/// A validated post or comment text: not blank, at most [`MAX_TEXT_CHARS`] characters.
pub fn text(raw: &str, may_be_empty: bool) -> Result<String, String> {
    let count = raw.chars().count();
    if count > MAX_TEXT_CHARS {
        Err(format!(
            "must be at most {MAX_TEXT_CHARS} characters (got {count})"
        ))
    } else if !may_be_empty && raw.trim().is_empty() {
        Err("must not be empty".to_owned())
    } else {
        Ok(raw.to_owned())
    }
}

/// What the reader is to a post's author, which decides what they may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relation {
    pub is_author: bool,
    pub follows: bool,
    /// Either blocks the other.
    pub blocked: bool,
}

impl Visibility {
    /// Whether a reader in `relation` to the author may see a post of this visibility.
    pub fn allows(self, relation: Relation) -> bool {
        if relation.blocked {
            return false;
        }
        match self {
            Self::Public => true,
            Self::Followers => relation.is_author || relation.follows,
            Self::Private => relation.is_author,
        }
    }
}

/// Whose posts the home feed shows, in what order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFilter {
    /// Newest first.
    Latest,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visibility_follows_the_relation() {
        let stranger = Relation {
            is_author: false,
            follows: false,
            blocked: false,
        };
        let follower = Relation {
            follows: true,
            ..stranger
        };
        let author = Relation {
            is_author: true,
            ..stranger
        };
        let blocked = Relation {
            blocked: true,
            ..follower
        };
        let table = [
            (Visibility::Public, [true, true, true, false]),
            (Visibility::Followers, [false, true, true, false]),
            (Visibility::Private, [false, false, true, false]),
        ];
        for (visibility, expected) in table {
            let seen = [stranger, follower, author, blocked].map(|r| visibility.allows(r));
            assert_eq!(seen, expected, "{visibility:?}");
        }
    }

    #[test]
    fn texts_are_bounded() {
        assert!(text("", false).is_err());
        assert!(text("   ", false).is_err());
        assert!(text("", true).is_ok());
        assert!(text(&"가".repeat(5_000), false).is_ok());
        assert!(text(&"가".repeat(5_001), false).is_err());
    }
}
