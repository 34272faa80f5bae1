//! Korean first, English second: which language a visitor reads, and every text of the pages.
//!
//! Each text is written once with both translations side by side, so neither can be forgotten:
//! the compiler refuses a struct literal that lacks a field.

use axum::http::HeaderMap;

/// The languages the pages speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ko,
    En,
}

impl Lang {
    /// The visitor's choice (the language cookie) or else their browser's preference, Korean
    /// when neither says.
    pub fn choose(cookie: Option<&str>, headers: &HeaderMap) -> Self {
        match cookie {
            Some("ko") => return Self::Ko,
            Some("en") => return Self::En,
            _ => {}
        }
        let accept = headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Self::from_accept_language(accept)
    }

    /// The first of Korean or English in an `Accept-Language` list, by weight.
    fn from_accept_language(accept: &str) -> Self {
        let mut best: Option<(f32, Self)> = None;
        for item in accept.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = match tag.split('-').next() {
                Some("ko") => Self::Ko,
                Some("en") => Self::En,
                _ => continue,
            };
            if best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, lang));
            }
        }
        best.map_or(Self::Ko, |(_, lang)| lang)
    }

    /// The BCP 47 tag for `<html lang>` and the cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Ko => "ko",
            Self::En => "en",
        }
    }

    /// The other language, for the toggle.
    pub fn other(self) -> Self {
        match self {
            Self::Ko => Self::En,
            Self::En => Self::Ko,
        }
    }

    pub fn shell(self) -> &'static ShellTexts {
        match self {
            Self::Ko => &ShellTexts::KO,
            Self::En => &ShellTexts::EN,
        }
    }

    pub fn social(self) -> &'static SocialTexts {
        match self {
            Self::Ko => &SocialTexts::KO,
            Self::En => &SocialTexts::EN,
        }
    }

    pub fn assistant(self) -> &'static AssistantTexts {
        match self {
            Self::Ko => &AssistantTexts::KO,
            Self::En => &AssistantTexts::EN,
        }
    }

    pub fn admin(self) -> &'static AdminTexts {
        match self {
            Self::Ko => &AdminTexts::KO,
            Self::En => &AdminTexts::EN,
        }
    }

    pub fn ask(self) -> &'static AskTexts {
        match self {
            Self::Ko => &AskTexts::KO,
            Self::En => &AskTexts::EN,
        }
    }

    pub fn wellness(self) -> &'static WellnessTexts {
        match self {
            Self::Ko => &WellnessTexts::KO,
            Self::En => &WellnessTexts::EN,
        }
    }

    pub fn ration(self) -> &'static RationTexts {
        match self {
            Self::Ko => &RationTexts::KO,
            Self::En => &RationTexts::EN,
        }
    }
}

/// Declares a set of texts with its Korean and English versions.
macro_rules! texts {
    ($(#[$doc:meta])* $name:ident { $($key:ident: $ko:literal / $en:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name { $(pub $key: &'static str,)* }

        impl $name {
            pub const KO: Self = Self { $($key: $ko,)* };
            pub const EN: Self = Self { $($key: $en,)* };
        }
    };
}

texts! {
    /// The frame around every page, accounts and notifications.
    ShellTexts {
        brand: "마루" / "maru",
        skip: "본문으로 건너뛰기" / "Skip to content",
        apps: "앱" / "Apps",
        home: "홈" / "Home",
        social: "소셜" / "Social",
        social_about: "팔로우, 글, 좋아요, 댓글, 실시간 피드" / "Follows, posts, likes, comments, a live feed",
        ask: "동네물어봐" / "Ask the neighbourhood",
        ask_about: "동네 질문과 답변, 포인트, 근처 질문" / "Local questions and answers, points, nearby questions",
        wellness: "센테니얼 라이프" / "Wellness",
        wellness_about: "건강 기록, 목표, 알림, 인사이트" / "Health records, goals, alerts, insights",
        assistant: "AI 비서" / "Assistant",
        assistant_about: "대화하며 함께 만드는 나의 프로필" / "Conversations that build your profile",
        ration: "사료 배합" / "Ration",
        ration_about: "사료 라이브러리와 최소비용 배합" / "Feed library and least-cost formulation",
        sign_in: "로그인" / "Sign in",
        sign_up: "회원가입" / "Sign up",
        sign_out: "로그아웃" / "Sign out",
        login_field: "아이디 또는 이메일" / "Username or e-mail",
        username: "아이디" / "Username",
        username_hint: "영문 소문자, 숫자, _ 3-30자" / "3-30 of a-z, 0-9 and _",
        email: "이메일" / "E-mail",
        password: "비밀번호" / "Password",
        password_hint: "10자 이상, 흔한 비밀번호는 안 돼요" / "At least 10 characters, not a common one",
        wrong_login: "아이디 또는 비밀번호가 맞지 않아요." / "Wrong username or password.",
        no_account: "계정이 없으신가요?" / "No account yet?",
        have_account: "이미 계정이 있으신가요?" / "Already have an account?",
        welcome: "마루에 오신 것을 환영해요" / "Welcome to maru",
        welcome_about: "하나의 계정으로 다섯 가지 서비스를 이용하세요." / "One account for five services.",
        notifications: "알림" / "Notifications",
        mark_all_read: "모두 읽음으로 표시" / "Mark all as read",
        no_notifications: "알림이 없어요." / "No notifications.",
        settings: "설정" / "Settings",
        admin: "관리" / "Admin",
        display_name: "표시 이름" / "Display name",
        bio: "소개" / "Bio",
        save: "저장" / "Save",
        saved: "저장했어요." / "Saved.",
        switch_language: "English" / "한국어",
        fix_fields: "입력한 내용을 확인해 주세요." / "Please check what you entered.",
        error_title: "문제가 생겼어요" / "Something went wrong",
        not_found: "페이지를 찾을 수 없어요" / "Page not found",
        forbidden: "권한이 없어요" / "Not allowed",
        too_many: "요청이 너무 많아요. 잠시 후 다시 시도해 주세요." / "Too many requests. Please try again shortly.",
        expired_form: "양식이 만료되었어요. 페이지를 새로 고친 뒤 다시 보내 주세요." / "This form expired. Reload the page and send it again.",
        back_home: "홈으로" / "Back home",
        just_now: "방금" / "just now",
        minutes_ago: "분 전" / " min ago",
        hours_ago: "시간 전" / " h ago",
        previous: "이전" / "Previous",
        next: "다음" / "Next",
    }
}

texts! {
    /// social's pages.
    SocialTexts {
        feed: "홈 피드" / "Home feed",
        ranked: "추천" / "For you",
        latest: "최신" / "Latest",
        write_post: "글쓰기" / "Write a post",
        compose: "무슨 일이 있나요?" / "What's happening?",
        compose_hint: "#해시태그와 @아이디를 쓸 수 있어요. 최대 5,000자" / "Use #hashtags and @usernames. Up to 5,000 characters",
        publish: "게시" / "Post",
        visibility: "공개 범위" / "Who can see it",
        public: "전체 공개" / "Everyone",
        followers_only: "팔로워만" / "Followers",
        only_me: "나만 보기" / "Only me",
        image: "사진" / "Photo",
        image_hint: "JPEG, PNG, WebP 또는 GIF" / "JPEG, PNG, WebP or GIF",
        image_preview: "고른 사진 미리 보기" / "Preview of the chosen photo",
        new_posts: "새 게시물 보기" / "Show new posts",
        empty_feed: "아직 피드가 비어 있어요. 검색해서 팔로우할 사람을 찾아보세요." / "Your feed is empty. Search for people to follow.",
        more: "더 보기" / "Load more",
        like: "좋아요" / "Like",
        unlike: "좋아요 취소" / "Unlike",
        comments: "댓글" / "Comments",
        share: "공유" / "Share",
        share_quote: "한마디 덧붙이기 (선택)" / "Add a comment (optional)",
        delete: "삭제" / "Delete",
        edited: "수정됨" / "edited",
        shared_post: "공유한 게시물" / "Shared post",
        original_gone: "원래 게시물을 볼 수 없어요." / "The original post is not available.",
        write_comment: "댓글 쓰기" / "Write a comment",
        post_comment: "댓글 달기" / "Comment",
        reply: "답글" / "Reply",
        reply_to: "님에게 답글" / ", in reply",
        no_comments: "아직 댓글이 없어요." / "No comments yet.",
        more_comments: "댓글 더 보기" / "More comments",
        posts: "게시물" / "Posts",
        no_posts: "게시물이 없어요." / "No posts.",
        followers: "팔로워" / "Followers",
        following: "팔로잉" / "Following",
        follow: "팔로우" / "Follow",
        unfollow: "팔로우 취소" / "Unfollow",
        requested: "요청 취소" / "Cancel request",
        follows_you: "나를 팔로우해요" / "Follows you",
        locked: "승인제 계정" / "Approves followers",
        mute: "뮤트" / "Mute",
        unmute: "뮤트 해제" / "Unmute",
        block: "차단" / "Block",
        unblock: "차단 해제" / "Unblock",
        edit_profile: "프로필 수정" / "Edit profile",
        search: "검색" / "Search",
        search_label: "검색어" / "Search for",
        kind_posts: "게시물" / "Posts",
        kind_people: "사람" / "People",
        kind_tags: "해시태그" / "Hashtags",
        no_results: "찾는 결과가 없어요." / "Nothing found.",
        posts_unit: "개의 게시물" / " posts",
        tag_posts: "해시태그 게시물" / "Posts with this hashtag",
    }
}

texts! {
    /// The operators' pages.
    AdminTexts {
        admin: "관리" / "Admin",
        overview: "현황" / "Overview",
        users: "회원" / "Accounts",
        first_answer: "첫 답변까지 걸린 시간 (최근 30일)" / "Time to first answer (last 30 days)",
        asked: "질문" / "Asked",
        answered: "답변 받음" / "Answered",
        median: "중앙값" / "Median",
        p90: "90번째 백분위" / "90th percentile",
        within_10_min: "10분 안에 답변" / "Answered within 10 minutes",
        seconds: "초" / " s",
        minutes: "분" / " min",
        hours: "시간" / " h",
        reports: "신고" / "Reports",
        no_reports: "처리할 신고가 없어요." / "No open reports.",
        question: "질문" / "Question",
        answer: "답변" / "Answer",
        reported_by: "신고자" / "Reported by",
        reason: "사유" / "Reason",
        hide: "숨기기" / "Hide",
        default_reason: "운영 정책 위반" / "Against the rules",
        hidden: "숨긴 글" / "Hidden",
        no_hidden: "숨긴 글이 없어요." / "Nothing hidden.",
        restore: "다시 보이기" / "Restore",
        open: "보기" / "Open",
        suspend: "회원 정지" / "Suspend a member",
        suspend_about: "동네물어봐에서 질문, 답변, 좋아요를 막아요. 0일은 정지를 풀어요." / "Stops asking, answering and liking in 동네물어봐. 0 days lifts it.",
        username: "아이디" / "Username",
        days: "일 수" / "Days",
        suspended: "처리했어요." / "Done.",
        no_such_member: "그런 회원이 없어요." / "No such member.",
        flags: "기능 플래그" / "Feature flags",
        no_flags: "플래그가 없어요." / "No flags.",
        flag_name: "이름" / "Name",
        enabled: "켜짐" / "On",
        disabled: "꺼짐" / "Off",
        turn_on: "켜기" / "Turn on",
        turn_off: "끄기" / "Turn off",
        rollout: "적용 비율 (%)" / "Rollout (%)",
        rollout_hint: "비우면 모두에게" / "Empty: everyone",
        everyone: "모두" / "everyone",
        overrides: "개별 설정" / "overrides",
        description: "설명" / "Description",
        save_flag: "저장" / "Save",
        new_flag: "플래그 추가·변경" / "Add or change a flag",
        jobs: "작업 큐" / "Job queue",
        queued: "대기" / "Queued",
        running: "실행 중" / "Running",
        dead: "실패" / "Dead",
        dead_letters: "실패한 작업" / "Dead letters",
        no_dead: "실패한 작업이 없어요." / "No dead letters.",
        kind: "종류" / "Kind",
        attempts: "시도" / "Attempts",
        error: "오류" / "Error",
        retry: "다시 시도" / "Retry",
    }
}

texts! {
    /// The assistant's pages.
    AssistantTexts {
        conversations: "대화" / "Conversations",
        new_conversation: "새 대화 시작" / "Start a conversation",
        title_label: "제목 (선택)" / "Title (optional)",
        no_sessions: "아직 대화가 없어요. 건강 목표나 생활 습관을 이야기해 보세요." / "No conversations yet. Tell the assistant about your health goals and habits.",
        changes: "프로필 변경" / "profile changes",
        message: "메시지" / "Message",
        message_hint: "예: 30대이고 잠을 잘 못 자요. 아침에 걷기를 좋아해요." / "E.g. I'm in my 30s and sleep badly. I like morning walks.",
        send: "보내기" / "Send",
        you: "나" / "You",
        assistant: "AI 비서" / "Assistant",
        writing: "답변을 쓰는 중…" / "Writing…",
        failed: "답변을 받지 못했어요. 다시 보내 주세요." / "No reply came. Please send it again.",
        profile: "내 프로필" / "My profile",
        profile_about: "대화에서 알게 된 것이 바로 반영되고, 열려 있는 다른 창에도 함께 바뀌어요." / "What the conversation learns appears here at once, in every open window.",
        profile_empty: "아직 알려진 것이 없어요." / "Nothing known yet.",
        version: "버전" / "Version",
        delete: "대화 삭제" / "Delete conversation",
        name: "이름" / "Name",
        age: "나이" / "Age",
        goals: "목표" / "Goals",
        activity: "활동량" / "Activity",
        sleep: "수면" / "Sleep",
        diet: "식단" / "Diet",
        conditions: "건강 상태" / "Conditions",
        preferences: "선호" / "Preferences",
        language: "언어" / "Language",
        hours_unit: "시간" / " h",
    }
}

texts! {
    /// 동네물어봐's pages.
    AskTexts {
        questions: "질문" / "Questions",
        ask_question: "질문하기" / "Ask a question",
        all_regions: "전체 지역" / "All regions",
        all_categories: "전체 분류" / "All categories",
        region: "지역" / "Region",
        category: "분류" / "Category",
        hashtag: "해시태그" / "Hashtag",
        sort: "정렬" / "Sort",
        sort_new: "최신순" / "Newest",
        sort_popular: "인기순" / "Popular",
        sort_urgent: "긴급 우선" / "Urgent first",
        filter: "보기" / "Apply",
        no_questions: "아직 질문이 없어요." / "No questions yet.",
        answers: "답변" / "Answers",
        likes: "좋아요" / "Likes",
        accepted: "채택됨" / "Accepted",
        solved: "해결" / "Solved",
        urgent: "긴급" / "Urgent",
        bounty: "현상금" / "Bounty",
        points: "포인트" / "Points",
        points_unit: "점" / " pts",
        title: "제목" / "Title",
        content: "내용" / "Details",
        hashtags: "해시태그" / "Hashtags",
        hashtags_hint: "띄어쓰기로 구분, 최대 10개" / "Separated by spaces, at most 10",
        place_name: "장소 이름" / "Place name",
        latitude: "위도" / "Latitude",
        longitude: "경도" / "Longitude",
        use_location: "내 위치 사용" / "Use my location",
        urgency: "긴급도" / "Urgency",
        normal: "보통" / "Normal",
        urgent_hint: "근처의 인증된 주민에게 바로 알려요" / "Sent straight to verified locals nearby",
        bounty_hint: "0-1,000점, 답변을 채택하면 지급돼요" / "0-1,000 points, paid when you accept an answer",
        post_question: "질문 올리기" / "Post question",
        your_answer: "답변 쓰기" / "Your answer",
        post_answer: "답변 올리기" / "Post answer",
        accept: "채택하기" / "Accept",
        no_answers: "아직 답변이 없어요. 첫 답변을 남겨 주세요." / "No answers yet. Be the first.",
        sign_in_to_answer: "답변하려면 로그인하세요." / "Sign in to answer.",
        balance: "잔액" / "Balance",
        history: "내역" / "History",
        trending: "지금 뜨는 해시태그" / "Trending hashtags",
        nearby: "근처 질문" / "Nearby",
        nearby_about: "가까운 순서로 보여 드려요." / "Closest first.",
        find_nearby: "찾기" / "Search",
        local_verified: "동네 인증" / "Verified local",
        verify_location: "동네 인증하기" / "Verify my neighbourhood",
        verify_about: "현재 위치로 사는 지역을 인증하면 긴급 질문을 받을 수 있어요." / "Verify where you live from your current location to receive urgent questions.",
        verified_until: "인증 만료" / "Verified until",
        reason_signup_bonus: "가입 보너스" / "Sign-up bonus",
        reason_answer_reward: "답변 보상" / "Answer reward",
        reason_bounty_escrow: "현상금 보관" / "Bounty held",
        reason_bounty_paid: "현상금 받음" / "Bounty received",
        reason_accept_reward: "채택 보상" / "Acceptance reward",
        reason_bounty_refund: "현상금 환불" / "Bounty refunded",
        reason_other: "기타" / "Other",
        cat_food: "맛집" / "Food",
        cat_lodging: "숙소" / "Lodging",
        cat_transport: "교통" / "Transport",
        cat_weather: "날씨" / "Weather",
        cat_activity: "놀거리" / "Activities",
        cat_life: "생활" / "Daily life",
        cat_other: "기타" / "Other",
    }
}

texts! {
    /// The wellness dashboard.
    WellnessTexts {
        dashboard: "건강 대시보드" / "Health dashboard",
        day: "하루" / "Day",
        week: "일주일" / "Week",
        month: "한 달" / "Month",
        heart_rate: "심박수" / "Heart rate",
        systolic: "수축기 혈압" / "Systolic pressure",
        diastolic: "이완기 혈압" / "Diastolic pressure",
        steps: "걸음 수" / "Steps",
        sleep: "수면 (시간)" / "Sleep (hours)",
        no_data: "이 기간의 기록이 없어요." / "No records in this period.",
        latest: "최근" / "Latest",
        add_record: "직접 기록하기" / "Add a record",
        kind: "항목" / "Measure",
        value: "값" / "Value",
        body_temperature: "체온 (°C)" / "Body temperature (°C)",
        oxygen_saturation: "산소포화도 (%)" / "Oxygen saturation (%)",
        blood_pressure: "혈압 (mmHg)" / "Blood pressure (mmHg)",
        systolic_short: "수축기" / "Systolic",
        diastolic_short: "이완기" / "Diastolic",
        measured_at: "측정 시각 (비우면 지금)" / "Measured at (empty: now)",
        save: "기록하기" / "Save",
        saved: "기록했어요." / "Saved.",
        goals: "목표" / "Goals",
        alerts: "알림·추천" / "Alerts & tips",
        no_goals: "아직 목표가 없어요." / "No goals yet.",
        new_goal: "새 목표" / "New goal",
        goal_kind: "종류" / "Kind",
        goal_target: "목표값" / "Target",
        goal_target_hint: "걸음 수, 수면 시간 또는 체중(kg)" / "Steps, hours of sleep or weight (kg)",
        goal_steps: "하루 걸음 수" / "Steps a day",
        goal_sleep: "하룻밤 수면" / "Sleep a night",
        goal_weight: "목표 체중" / "Target weight",
        hours_unit: "시간" / " h",
        set_goal: "목표 정하기" / "Set goal",
        today: "오늘" / "Today",
        achieved: "달성" / "Done",
        streak: "연속" / "Streak",
        best_streak: "최고 연속" / "Best streak",
        days_unit: "일" / " days",
        last_7_days: "최근 7일" / "Last 7 days",
        met: "달성한 날" / "met",
        missed: "못 한 날" / "missed",
        remove: "삭제" / "Remove",
        no_alerts: "알림이 없어요." / "No alerts.",
        acknowledge: "확인" / "Acknowledge",
        acknowledge_all: "모두 확인" / "Acknowledge all",
        acknowledged: "확인함" / "Acknowledged",
        info: "정보" / "Info",
        warning: "주의" / "Warning",
        critical: "위험" / "Critical",
        recommendations: "추천" / "Recommendations",
        no_recommendations: "지금은 추천할 것이 없어요." / "Nothing to recommend right now.",
        confidence: "확신도" / "Confidence",
        because: "근거" / "Because",
        helpful: "도움이 됐어요" / "Helpful",
        not_helpful: "도움이 안 됐어요" / "Not helpful",
        dismiss: "그만 보기" / "Don't show again",
    }
}

texts! {
    /// The ration pages.
    RationTexts {
        farms: "농장" / "Farms",
        no_farms: "아직 농장이 없어요. 첫 농장을 만들어 보세요." / "No farms yet. Create the first one.",
        new_farm: "새 농장" / "New farm",
        farm_name: "농장 이름" / "Farm name",
        create: "만들기" / "Create",
        feeds: "사료" / "Feeds",
        name: "이름" / "Name",
        dm: "건물 %" / "DM %",
        cp: "조단백 %DM" / "CP %DM",
        price: "가격 (원/kg)" / "Price (₩/kg)",
        save_price: "저장" / "Save",
        add_from_library: "라이브러리에서 추가" / "Add from the library",
        library_feed: "라이브러리 사료" / "Library feed",
        animals: "가축 그룹" / "Animal groups",
        head_count: "두수" / "Head",
        intake: "건물 섭취량 (kg/일)" / "DM intake (kg/d)",
        formulations: "배합 기록" / "Formulations",
        no_formulations: "아직 배합 기록이 없어요." / "No formulations yet.",
        formulate: "배합하기" / "Formulate",
        formulation_name: "배합 이름" / "Formulation name",
        fill_from_group: "그룹 요구량으로 채우기" / "Fill from a group's requirements",
        fill: "채우기" / "Fill",
        use_feeds: "사용할 사료와 최대 비율 (%)" / "Feeds to use, with their largest share (%)",
        limits: "영양 조건 (건물 기준)" / "Nutrient limits (dry matter)",
        nutrient: "영양소" / "Nutrient",
        min: "최소" / "Min",
        max: "최대" / "Max",
        run: "배합 계산" / "Formulate",
        optimal: "최소비용 배합" / "Least-cost recipe",
        share: "비율" / "Share",
        kg_batch: "배치 kg (원물)" / "Batch kg (as fed)",
        cost_share: "비용 비중" / "Cost share",
        composition: "구성" / "Composition",
        cost_per_kg: "kg당 비용 (건물)" / "Cost per kg DM",
        cost_per_kg_as_fed: "kg당 비용 (원물)" / "Cost per kg as fed",
        cost_per_head: "두당 하루 비용" / "Cost per head per day",
        supply: "영양 공급과 요구량" / "Nutrient supply against requirement",
        supplied: "공급" / "Supplied",
        what_if: "조건을 바꾸면" / "What a limit costs",
        infeasible: "이 조건으로는 배합할 수 없어요" / "No recipe meets these limits",
        conflict: "함께 지킬 수 없는 조건들이에요. 하나를 풀면 배합할 수 있어요:" / "These limits cannot all hold; loosen one of them:",
        print: "인쇄용 보고서" / "Printable report",
        back_to_farm: "농장으로" / "Back to the farm",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_unless_english_is_preferred() {
        assert_eq!(Lang::from_accept_language(""), Lang::Ko);
        assert_eq!(Lang::from_accept_language("fr-FR,fr;q=0.9"), Lang::Ko);
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("en;q=0.5,ko;q=0.8"), Lang::Ko);
        assert_eq!(Lang::from_accept_language("ko-KR,en;q=0.9"), Lang::Ko);
    }

    #[test]
    fn a_chosen_language_beats_the_browser() {
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::ACCEPT_LANGUAGE,
            axum::http::HeaderValue::from_static("en"),
        );
        assert_eq!(Lang::choose(Some("ko"), &headers), Lang::Ko);
        assert_eq!(Lang::choose(None, &headers), Lang::En);
    }
}
