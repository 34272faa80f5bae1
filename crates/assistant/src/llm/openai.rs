//! The OpenAI-compatible Chat Completions API (`POST {base}/chat/completions`), spoken by
//! OpenAI and by vLLM, llama.cpp's server and Ollama (`http://127.0.0.1:11434/v1`). Streaming
//! reads the `data:` events up to `[DONE]`; structured answers use `response_format` with a
//! strict JSON schema; embeddings use `POST {base}/embeddings`.

use async_trait::async_trait;
use eventsource_stream::Eventsource;
use futures::StreamExt;
use serde_json::{Value, json};

use super::{ChatRequest, Completion, Deltas, Provider, ProviderError, Tier, error_message};

pub struct OpenAi {
    client: reqwest::Client,
    base_url: String,
    api_key: Option<String>,
    model: String,
    economy_model: String,
    embedding_model: Option<String>,
}

impl OpenAi {
    pub fn new(
        client: reqwest::Client,
        base_url: &str,
        api_key: Option<String>,
        model: String,
        economy_model: Option<String>,
        embedding_model: Option<String>,
    ) -> Self {
        Self {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            economy_model: economy_model.unwrap_or_else(|| model.clone()),
            model,
            embedding_model,
        }
    }

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        let request = self.client.post(format!("{}{path}", self.base_url));
        match &self.api_key {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
    }

    fn body(&self, request: &ChatRequest, tier: Tier) -> Value {
        json!({
            "model": self.model(tier),
            "messages": request.messages,
            "max_tokens": request.max_tokens,
        })
    }

    async fn send(&self, path: &str, body: &Value) -> Result<reqwest::Response, ProviderError> {
        let response = self
            .post(path)
            .json(body)
            .send()
            .await
            .map_err(|e| ProviderError::from_reqwest(&e))?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(error_message(response).await)
        }
    }

    async fn complete(&self, body: &Value) -> Result<(Value, Completion), ProviderError> {
        let response = self.send("/chat/completions", body).await?;
        let answer: Value = response
            .json()
            .await
            .map_err(|e| ProviderError::from_reqwest(&e))?;
        let text = answer["choices"][0]["message"]["content"]
            .as_str()
            .ok_or_else(|| ProviderError::Protocol("no choices[0].message.content".into()))?
            .to_owned();
        let completion = Completion {
            text,
            model: answer["model"].as_str().unwrap_or_default().to_owned(),
            prompt_tokens: answer["usage"]["prompt_tokens"].as_u64().unwrap_or(0),
            completion_tokens: answer["usage"]["completion_tokens"].as_u64().unwrap_or(0),
        };
        Ok((answer, completion))
    }

    async fn stream(&self, mut body: Value, deltas: &Deltas) -> Result<Completion, ProviderError> {
        body["stream"] = json!(true);
        body["stream_options"] = json!({ "include_usage": true });
        let response = self.send("/chat/completions", &body).await?;
        let mut events = response.bytes_stream().eventsource();
        let mut completion = Completion {
            text: String::new(),
            model: body["model"].as_str().unwrap_or_default().to_owned(),
            prompt_tokens: 0,
            completion_tokens: 0,
        };
        while let Some(event) = events.next().await {
            let event = event.map_err(|e| ProviderError::Protocol(e.to_string()))?;
            if event.data.trim() == "[DONE]" {
                return Ok(completion);
            }
            let chunk: Value = serde_json::from_str(&event.data)
                .map_err(|e| ProviderError::Protocol(format!("stream chunk: {e}")))?;
            if let Some(message) = chunk["error"]["message"].as_str() {
                return Err(ProviderError::Status {
                    status: 500,
                    message: message.to_owned(),
                });
            }
            if let Some(text) = chunk["choices"][0]["delta"]["content"].as_str()
                && !text.is_empty()
            {
                completion.text.push_str(text);
                // A reader that went away stops listening, not the answer.
                let _ = deltas.send(text.to_owned()).await;
            }
            if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
                completion.prompt_tokens = usage["prompt_tokens"].as_u64().unwrap_or(0);
                completion.completion_tokens = usage["completion_tokens"].as_u64().unwrap_or(0);
            }
        }
        Err(ProviderError::Protocol(
            "the stream ended without [DONE]".into(),
        ))
    }
}

#[async_trait]
impl Provider for OpenAi {
    fn model(&self, tier: Tier) -> &str {
        match tier {
            Tier::Standard => &self.model,
            Tier::Economy => &self.economy_model,
        }
    }

    async fn chat(
        &self,
        request: &ChatRequest,
        tier: Tier,
        deltas: Option<&Deltas>,
    ) -> Result<Completion, ProviderError> {
        let body = self.body(request, tier);
        match deltas {
            Some(deltas) => self.stream(body, deltas).await,
            None => self.complete(&body).await.map(|(_, c)| c),
        }
    }

    async fn structured(
        &self,
        request: &ChatRequest,
        schema: &Value,
        tier: Tier,
    ) -> Result<(Value, Completion), ProviderError> {
        let mut body = self.body(request, tier);
        body["response_format"] = json!({
            "type": "json_schema",
            "json_schema": { "name": "answer", "strict": true, "schema": schema },
        });
        let (_, completion) = self.complete(&body).await?;
        let value = serde_json::from_str(&completion.text)
            .map_err(|e| ProviderError::Protocol(format!("not the requested JSON: {e}")))?;
        Ok((value, completion))
    }

    async fn embed(&self, text: &str) -> Result<Vec<f32>, ProviderError> {
        let Some(model) = &self.embedding_model else {
            return Err(ProviderError::Unsupported);
        };
        let response = self
            .send("/embeddings", &json!({ "model": model, "input": text }))
            .await?;
        let answer: Value = response
            .json()
            .await
            .map_err(|e| ProviderError::from_reqwest(&e))?;
        let vector: Option<Vec<f32>> = answer["data"][0]["embedding"].as_array().map(|xs| {
            xs.iter()
                .filter_map(Value::as_f64)
                .map(|x| x as f32)
                .collect()
        });
        vector
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ProviderError::Protocol("no data[0].embedding".into()))
    }
}
