//! The tantivy index: schema, writes, and queries.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::tokenizer::{KoreanBigram, tokens};
use crate::accounts::CurrentUser;
use crate::time::Timestamp;
use crate::{AppContext, Error, Result};

const TOKENIZER: &str = "ko_bigram";
const WRITER_MEMORY: usize = 15_000_000;

/// One searchable document as an app hands it over.
#[derive(Debug, Clone)]
pub struct Document {
    pub doc_type: &'static str,
    pub id: i64,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    /// Exact-match filters, e.g. `("region", "jeju")`.
    pub facets: Vec<(&'static str, String)>,
    pub created_at: Timestamp,
}

/// A document type some app adds to `/api/v1/search`.
#[async_trait]
pub trait SearchType: Send + Sync + 'static {
    /// The `type` clients name: `users`, `content`, `questions`, ...
    fn name(&self) -> &'static str;

    /// Of the hit ids, those `viewer` may see, each rendered as the client should show it.
    /// Hits left out are dropped from the results: visibility is decided here, at read time.
    async fn hydrate(
        &self,
        ctx: &AppContext,
        viewer: Option<&CurrentUser>,
        ids: &[i64],
    ) -> Result<HashMap<i64, serde_json::Value>>;

    /// Every document of this type, for `maru reindex`.
    async fn documents(&self, ctx: &AppContext) -> Result<Vec<Document>>;

    /// Whether results may be cached: true only when what a hit shows does not depend on the
    /// viewer, and every change to what it may show goes through the index (so the next
    /// commit retires cached results).
    fn cacheable(&self) -> bool {
        false
    }
}

/// How long cached results live (seed 003: search results, 10 min); any index commit retires
/// them sooner.
const RESULTS_TTL: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// What a cached result answers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ResultsKey {
    generation: u64,
    text: String,
    types: Vec<String>,
    facets: Vec<(String, String)>,
    limit: usize,
    offset: usize,
}

type CachedResults = Arc<(Vec<Hit>, Option<usize>)>;

/// What to look for.
#[derive(Debug, Clone, Copy)]
pub struct SearchRequest<'a> {
    pub text: &'a str,
    /// Document types to search; all when empty.
    pub types: &'a [String],
    /// Exact-match filters every hit must carry.
    pub facets: &'a [(&'a str, String)],
    pub limit: usize,
    /// How many raw hits earlier pages consumed.
    pub offset: usize,
}

/// A search result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    #[serde(rename = "type")]
    pub doc_type: String,
    pub id: String,
    pub score: f32,
    /// The best matching passage, with matches in `<b>` (HTML-escaped otherwise).
    pub snippet: String,
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
}

#[derive(Clone, Copy)]
struct Fields {
    doc_type: Field,
    id: Field,
    key: Field,
    title: Field,
    body: Field,
    tags: Field,
    facet: Field,
    created: Field,
}

struct Inner {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    dirty: AtomicBool,
    /// Bumped by every commit that changed the index; keys cached results.
    generation: AtomicU64,
    types: HashMap<&'static str, Arc<dyn SearchType>>,
}

/// The shared search service.
#[derive(Clone)]
pub struct Search(Arc<Inner>);

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let fields = Fields {
        doc_type: b.add_text_field("type", STRING | STORED),
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        key: b.add_text_field("key", STRING),
        title: b.add_text_field("title", text(true)),
        body: b.add_text_field("body", text(true)),
        tags: b.add_text_field("tags", text(false)),
        facet: b.add_text_field("facet", STRING),
        created: b.add_i64_field("created", INDEXED | FAST),
    };
    (b.build(), fields)
}

impl Search {
    /// Opens (or creates) the index in `dir`; `None` keeps it in memory (tests).
    pub fn open(dir: Option<&Path>, types: Vec<Arc<dyn SearchType>>) -> anyhow::Result<Self> {
        let (schema, fields) = schema();
        let index = match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)?;
                let mmap = tantivy::directory::MmapDirectory::open(dir)?;
                Index::open_or_create(mmap, schema)?
            }
            None => Index::create_in_ram(schema),
        };
        index.tokenizers().register(TOKENIZER, KoreanBigram);
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let types = types.into_iter().map(|t| (t.name(), t)).collect();
        Ok(Self(Arc::new(Inner {
            reader,
            writer: Mutex::new(writer),
            fields,
            dirty: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            types,
        })))
    }

    pub fn type_names(&self) -> Vec<&'static str> {
        let mut names: Vec<_> = self.0.types.keys().copied().collect();
        names.sort_unstable();
        names
    }

    /// Adds or replaces a document; visible to queries after the next commit (within a second).
    pub fn index(&self, doc: &Document) -> Result<()> {
        let f = self.0.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.doc_type, doc.doc_type);
        d.add_i64(f.id, doc.id);
        d.add_text(f.key, key(doc.doc_type, doc.id));
        d.add_text(f.title, &doc.title);
        d.add_text(f.body, &doc.body);
        for tag in &doc.tags {
            d.add_text(f.tags, tag);
        }
        for (name, value) in &doc.facets {
            d.add_text(f.facet, format!("{name}={value}"));
        }
        d.add_i64(f.created, doc.created_at.micros());
        let writer = self
            .0
            .writer
            .lock()
            .map_err(|_| Error::internal(anyhow::anyhow!("search writer poisoned")))?;
        writer.delete_term(Term::from_field_text(f.key, &key(doc.doc_type, doc.id)));
        writer.add_document(d).map_err(Error::internal)?;
        self.0.dirty.store(true, Ordering::Release);
        Ok(())
    }

    pub fn remove(&self, doc_type: &str, id: i64) -> Result<()> {
        let writer = self
            .0
            .writer
            .lock()
            .map_err(|_| Error::internal(anyhow::anyhow!("search writer poisoned")))?;
        writer.delete_term(Term::from_field_text(self.0.fields.key, &key(doc_type, id)));
        self.0.dirty.store(true, Ordering::Release);
        Ok(())
    }

    /// Makes every write so far visible to queries.
    pub async fn commit(&self) -> Result<()> {
        if !self.0.dirty.swap(false, Ordering::AcqRel) {
            return Ok(());
        }
        let inner = Arc::clone(&self.0);
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut writer = inner
                .writer
                .lock()
                .map_err(|_| anyhow::anyhow!("search writer poisoned"))?;
            writer.commit()?;
            drop(writer);
            inner.reader.reload()?;
            inner.generation.fetch_add(1, Ordering::AcqRel);
            Ok(())
        })
        .await
        .map_err(Error::internal)?
        .map_err(Error::internal)
    }

    /// Drops every document and indexes what each type lists; returns the count.
    pub async fn rebuild(&self, ctx: &AppContext) -> Result<usize> {
        {
            let writer = self
                .0
                .writer
                .lock()
                .map_err(|_| Error::internal(anyhow::anyhow!("search writer poisoned")))?;
            writer.delete_all_documents().map_err(Error::internal)?;
        }
        self.0.dirty.store(true, Ordering::Release);
        let mut count = 0;
        for t in self.0.types.values() {
            for doc in t.documents(ctx).await? {
                self.index(&doc)?;
                count += 1;
            }
        }
        self.commit().await?;
        Ok(count)
    }

    /// Whether every type `types` names (all types when empty) allows caching.
    fn cacheable(&self, types: &[String]) -> bool {
        if types.is_empty() {
            self.0.types.values().all(|t| t.cacheable())
        } else {
            types.iter().all(|name| {
                self.0
                    .types
                    .get(name.as_str())
                    .is_some_and(|t| t.cacheable())
            })
        }
    }

    /// Runs `request` and returns up to `limit` hits the viewer may see, plus the raw offset
    /// to continue from. Results of cacheable types come from the cache while the index is
    /// unchanged.
    pub async fn query(
        &self,
        ctx: &AppContext,
        viewer: Option<&CurrentUser>,
        request: &SearchRequest<'_>,
    ) -> Result<(Vec<Hit>, Option<usize>)> {
        if !self.cacheable(request.types) {
            return self.run_query(ctx, viewer, request).await;
        }
        let cache =
            ctx.cache
                .family::<ResultsKey, CachedResults>("search.results", RESULTS_TTL, 10_000);
        let key = ResultsKey {
            generation: self.0.generation.load(Ordering::Acquire),
            text: request.text.to_owned(),
            types: request.types.to_vec(),
            facets: request
                .facets
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            limit: request.limit,
            offset: request.offset,
        };
        if let Some(cached) = cache.get(&key) {
            return Ok((*cached).clone());
        }
        let results = self.run_query(ctx, viewer, request).await?;
        cache.insert(key, Arc::new(results.clone()));
        Ok(results)
    }

    async fn run_query(
        &self,
        ctx: &AppContext,
        viewer: Option<&CurrentUser>,
        request: &SearchRequest<'_>,
    ) -> Result<(Vec<Hit>, Option<usize>)> {
        let SearchRequest {
            text,
            types,
            facets,
            limit,
            offset,
        } = *request;
        let Some(query) = self.build_query(text, types, facets) else {
            return Ok((Vec::new(), None));
        };
        let searcher = self.0.reader.searcher();
        let f = self.0.fields;
        let mut snippets =
            SnippetGenerator::create(&searcher, &*query, f.body).map_err(Error::internal)?;
        snippets.set_max_num_chars(160);
        let mut hits = Vec::new();
        let mut raw_offset = offset;
        // Visibility removes some hits after the fact: fetch in rounds until the page is full.
        for _round in 0..5 {
            let want = (limit - hits.len()) * 2 + 10;
            let top = searcher
                .search(
                    &*query,
                    &TopDocs::with_limit(want)
                        .and_offset(raw_offset)
                        .order_by_score(),
                )
                .map_err(Error::internal)?;
            let exhausted = top.len() < want;
            let mut candidates: Vec<(f32, String, i64, TantivyDocument)> = Vec::new();
            for (score, address) in top {
                let doc: TantivyDocument = searcher.doc(address).map_err(Error::internal)?;
                let doc_type = doc
                    .get_first(f.doc_type)
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let id = doc
                    .get_first(f.id)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default();
                candidates.push((score, doc_type, id, doc));
            }
            let mut visible: HashMap<String, HashMap<i64, serde_json::Value>> = HashMap::new();
            for name in candidates
                .iter()
                .map(|c| c.1.clone())
                .collect::<std::collections::BTreeSet<_>>()
            {
                let ids: Vec<i64> = candidates
                    .iter()
                    .filter(|c| c.1 == name)
                    .map(|c| c.2)
                    .collect();
                if let Some(t) = self.0.types.get(name.as_str()) {
                    visible.insert(name, t.hydrate(ctx, viewer, &ids).await?);
                }
            }
            for (score, doc_type, id, doc) in candidates {
                raw_offset += 1;
                if let Some(document) = visible.get_mut(&doc_type).and_then(|m| m.remove(&id)) {
                    let snippet = snippets.snippet_from_doc(&doc).to_html();
                    let snippet = if snippet.is_empty() {
                        snippet_of_title(&doc, f.title)
                    } else {
                        snippet
                    };
                    hits.push(Hit {
                        doc_type,
                        id: id.to_string(),
                        score,
                        snippet,
                        document,
                    });
                    if hits.len() == limit {
                        return Ok((hits, Some(raw_offset)));
                    }
                }
            }
            if exhausted {
                return Ok((hits, None));
            }
        }
        Ok((hits, Some(raw_offset)))
    }

    fn build_query(
        &self,
        text: &str,
        types: &[String],
        facets: &[(&str, String)],
    ) -> Option<Box<dyn Query>> {
        let f = self.0.fields;
        let tokens = tokens(text);
        let runs = tokens.last().map_or(0, |t| t.run + 1);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for run in 0..runs {
            let terms: Vec<&str> = tokens
                .iter()
                .filter(|t| t.run == run)
                .map(|t| t.text.as_str())
                .collect();
            if terms.is_empty() {
                continue;
            }
            // Each term may match in the title (worth more), the body or the tags; a word must
            // match most of its bigrams, so `제주맛집` finds `제주 맛집` (2 of 3 bigrams).
            let per_term: Vec<(Occur, Box<dyn Query>)> = terms
                .iter()
                .map(|t| {
                    let in_fields: Vec<(Occur, Box<dyn Query>)> = vec![
                        (
                            Occur::Should,
                            Box::new(BoostQuery::new(term_query(f.title, t), 2.0)),
                        ),
                        (Occur::Should, term_query(f.body, t)),
                        (
                            Occur::Should,
                            Box::new(BoostQuery::new(term_query(f.tags, t), 1.5)),
                        ),
                    ];
                    (
                        Occur::Should,
                        Box::new(BooleanQuery::new(in_fields)) as Box<dyn Query>,
                    )
                })
                .collect();
            let needed = (terms.len() * 3).div_ceil(5).max(1);
            clauses.push((
                Occur::Must,
                Box::new(BooleanQuery::with_minimum_required_clauses(
                    per_term, needed,
                )),
            ));
        }
        if clauses.is_empty() {
            return None;
        }
        if !types.is_empty() {
            let any_type: Vec<(Occur, Box<dyn Query>)> = types
                .iter()
                .map(|t| {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_field_text(f.doc_type, t),
                            IndexRecordOption::Basic,
                        )) as Box<dyn Query>,
                    )
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any_type))));
        }
        for (name, value) in facets {
            let term = Term::from_field_text(f.facet, &format!("{name}={value}"));
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            ));
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn key(doc_type: &str, id: i64) -> String {
    format!("{doc_type}:{id}")
}

fn snippet_of_title(doc: &TantivyDocument, title: Field) -> String {
    let text = doc
        .get_first(title)
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let short: String = text.chars().take(160).collect();
    short
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Commits pending writes every `every` until shutdown.
pub(crate) async fn run_committer(
    search: Search,
    every: std::time::Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => {
                let _ = search.commit().await;
                return;
            }
        }
        if let Err(e) = search.commit().await {
            tracing::error!(error = %e, "search commit failed");
        }
    }
}
