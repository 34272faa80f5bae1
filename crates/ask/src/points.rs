//! The rules of the points ledger. Pure: the store moves points, this says how many and why.
//!
//! Every movement is a transfer between two accounts written as two entries that sum to zero,
//! so the ledger as a whole always sums to zero. Users' balances never go negative; the
//! treasury's balance is minus every reward it ever paid; the escrow holds open bounties.

use platform::accounts::UserId;
use serde::Serialize;
use utoipa::ToSchema;

/// Points a new member starts with.
pub const SIGNUP_BONUS: i64 = 100;
/// Points for answering someone else's question, once per question.
pub const ANSWER_REWARD: i64 = 5;
/// Answer rewards paid to one user per day at most, so answering cannot be farmed.
pub const ANSWER_REWARDS_PER_DAY: i64 = 10;
/// Points for having an answer accepted, on top of the bounty.
pub const ACCEPT_REWARD: i64 = 20;

/// A ledger account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Account {
    User(UserId),
    /// Where rewards come from.
    Treasury,
    /// Where bounties wait for an accepted answer or a refund.
    Escrow,
}

impl Account {
    const TREASURY: i64 = -1;
    const ESCROW: i64 = -2;

    /// The id the store keys the account by.
    pub fn id(self) -> i64 {
        match self {
            Self::User(u) => u.get(),
            Self::Treasury => Self::TREASURY,
            Self::Escrow => Self::ESCROW,
        }
    }

    /// Only the treasury may go below zero.
    pub fn may_overdraw(self) -> bool {
        self == Self::Treasury
    }
}

/// Why points moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    SignupBonus,
    AnswerReward,
    BountyEscrow,
    BountyPaid,
    AcceptReward,
    BountyRefund,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignupBonus => "signup_bonus",
            Self::AnswerReward => "answer_reward",
            Self::BountyEscrow => "bounty_escrow",
            Self::BountyPaid => "bounty_paid",
            Self::AcceptReward => "accept_reward",
            Self::BountyRefund => "bounty_refund",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::SignupBonus,
            Self::AnswerReward,
            Self::BountyEscrow,
            Self::BountyPaid,
            Self::AcceptReward,
            Self::BountyRefund,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// One movement of points: `amount` (> 0) from one account to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub from: Account,
    pub to: Account,
    pub amount: i64,
    pub reason: Reason,
    /// What it is about, e.g. `question:123`.
    pub reference: String,
}

impl Transfer {
    pub fn signup_bonus(user: UserId) -> Self {
        Self::new(
            Account::Treasury,
            Account::User(user),
            SIGNUP_BONUS,
            Reason::SignupBonus,
            format!("user:{user}"),
        )
    }

    pub fn answer_reward(user: UserId, question: i64) -> Self {
        Self::new(
            Account::Treasury,
            Account::User(user),
            ANSWER_REWARD,
            Reason::AnswerReward,
            format!("question:{question}"),
        )
    }

    pub fn escrow(asker: UserId, question: i64, bounty: i64) -> Self {
        Self::new(
            Account::User(asker),
            Account::Escrow,
            bounty,
            Reason::BountyEscrow,
            format!("question:{question}"),
        )
    }

    pub fn refund(asker: UserId, question: i64, bounty: i64) -> Self {
        Self::new(
            Account::Escrow,
            Account::User(asker),
            bounty,
            Reason::BountyRefund,
            format!("question:{question}"),
        )
    }

    /// The two transfers of an acceptance: the bounty out of escrow (if any), the base reward.
    pub fn acceptance(answerer: UserId, question: i64, bounty: i64) -> Vec<Self> {
        let reference = format!("question:{question}");
        let mut transfers = Vec::with_capacity(2);
        if bounty > 0 {
            transfers.push(Self::new(
                Account::Escrow,
                Account::User(answerer),
                bounty,
                Reason::BountyPaid,
                reference.clone(),
            ));
        }
        transfers.push(Self::new(
            Account::Treasury,
            Account::User(answerer),
            ACCEPT_REWARD,
            Reason::AcceptReward,
            reference,
        ));
        transfers
    }

    fn new(from: Account, to: Account, amount: i64, reason: Reason, reference: String) -> Self {
        Self {
            from,
            to,
            amount,
            reason,
            reference,
        }
    }
}
