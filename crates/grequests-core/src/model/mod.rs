//! The request/response model: what is sent ([`Request`], built without its client) and
//! what comes back ([`Response`]). It knows neither the client nor the scheduler.

mod head;
mod headers;
mod into_method;
mod into_url;
pub mod multipart;
mod pairs;
mod parse_url;
mod request;
mod request_url;
pub(crate) mod response;
mod uri;

pub use head::{FailedRequest, RequestHead};
pub use into_method::IntoMethod;
pub use into_url::IntoUrl;
pub(crate) use pairs::pairs;
pub(crate) use request::{basic_auth_value, header_pair, Parts, RequestOptions, UploadProgress};
pub use request::{EachResponseHook, Hook, Request};
pub(crate) use request_url::RequestUrl;
pub use response::Response;
