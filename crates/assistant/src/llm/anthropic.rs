//! The Anthropic Messages API (`POST {base}/v1/messages`). The system prompt travels apart
//! from the messages; streaming reads `content_block_delta` events up to `message_stop`;
//! structured answers force a single tool whose input schema is the requested one.

use async_trait::async_trait;
use eventsource_stream::Eventsource;
use futures::StreamExt;
use serde_json::{Value, json};

use super::{ChatRequest, Completion, Deltas, Provider, ProviderError, Role, Tier, error_message};

const VERSION: &str = "2023-06-01";
const TOOL: &str = "answer";

pub struct Anthropic {
    client: reqwest::Client,
    base_url: String,
    api_key: Option<String>,
    model: String,
    economy_model: String,
}

impl Anthropic {
    pub fn new(
        client: reqwest::Client,
        base_url: &str,
        api_key: Option<String>,
        model: String,
        economy_model: Option<String>,
    ) -> Self {
        Self {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            economy_model: economy_model.unwrap_or_else(|| model.clone()),
            model,
        }
    }

    fn body(&self, request: &ChatRequest, tier: Tier) -> Value {
        let system: Vec<&str> = request
            .messages
            .iter()
            .filter(|m| m.role == Role::System)
            .map(|m| m.content.as_str())
            .collect();
        let messages: Vec<Value> = request
            .messages
            .iter()
            .filter(|m| m.role != Role::System)
            .map(|m| json!({ "role": m.role, "content": m.content }))
            .collect();
        let mut body = json!({
            "model": self.model(tier),
            "max_tokens": request.max_tokens,
            "messages": messages,
        });
        if !system.is_empty() {
            body["system"] = json!(system.join("\n\n"));
        }
        body
    }

    async fn send(&self, body: &Value) -> Result<reqwest::Response, ProviderError> {
        let mut request = self
            .client
            .post(format!("{}/v1/messages", self.base_url))
            .header("anthropic-version", VERSION)
            .json(body);
        if let Some(key) = &self.api_key {
            request = request.header("x-api-key", key);
        }
        let response = request
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
        let answer: Value = self
            .send(body)
            .await?
            .json()
            .await
            .map_err(|e| ProviderError::from_reqwest(&e))?;
        let text: String = answer["content"]
            .as_array()
            .ok_or_else(|| ProviderError::Protocol("no content".into()))?
            .iter()
            .filter_map(|block| block["text"].as_str())
            .collect();
        let completion = Completion {
            text,
            model: answer["model"].as_str().unwrap_or_default().to_owned(),
            prompt_tokens: answer["usage"]["input_tokens"].as_u64().unwrap_or(0),
            completion_tokens: answer["usage"]["output_tokens"].as_u64().unwrap_or(0),
        };
        Ok((answer, completion))
    }

    async fn stream(&self, mut body: Value, deltas: &Deltas) -> Result<Completion, ProviderError> {
        body["stream"] = json!(true);
        let response = self.send(&body).await?;
        let mut events = response.bytes_stream().eventsource();
        let mut completion = Completion {
            text: String::new(),
            model: body["model"].as_str().unwrap_or_default().to_owned(),
            prompt_tokens: 0,
            completion_tokens: 0,
        };
        while let Some(event) = events.next().await {
            let event = event.map_err(|e| ProviderError::Protocol(e.to_string()))?;
            let data: Value = serde_json::from_str(&event.data)
                .map_err(|e| ProviderError::Protocol(format!("stream event: {e}")))?;
            match event.event.as_str() {
                "message_start" => {
                    let message = &data["message"];
                    if let Some(model) = message["model"].as_str() {
                        model.clone_into(&mut completion.model);
                    }
                    completion.prompt_tokens =
                        message["usage"]["input_tokens"].as_u64().unwrap_or(0);
                }
                "content_block_delta" => {
                    if let Some(text) = data["delta"]["text"].as_str() {
                        completion.text.push_str(text);
                        let _ = deltas.send(text.to_owned()).await;
                    }
                }
                "message_delta" => {
                    if let Some(n) = data["usage"]["output_tokens"].as_u64() {
                        completion.completion_tokens = n;
                    }
                }
                "message_stop" => return Ok(completion),
                "error" => {
                    return Err(ProviderError::Status {
                        status: if data["error"]["type"] == "overloaded_error" {
                            529
                        } else {
                            500
                        },
                        message: data["error"]["message"]
                            .as_str()
                            .unwrap_or("error")
                            .to_owned(),
                    });
                }
                _ => {}
            }
        }
        Err(ProviderError::Protocol(
            "the stream ended without message_stop".into(),
        ))
    }
}

#[async_trait]
impl Provider for Anthropic {
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
        body["tools"] = json!([{
            "name": TOOL,
            "description": "Record the answer in the required structure.",
            "input_schema": schema,
        }]);
        body["tool_choice"] = json!({ "type": "tool", "name": TOOL });
        let (answer, completion) = self.complete(&body).await?;
        let input = answer["content"]
            .as_array()
            .and_then(|blocks| blocks.iter().find(|b| b["type"] == "tool_use"))
            .map(|b| b["input"].clone())
            .ok_or_else(|| ProviderError::Protocol("no tool_use block".into()))?;
        Ok((input, completion))
    }
}
