//! The request/response model: what users build ([`Request`]) and what they get back
//! ([`Response`]).

mod head;
mod into_method;
mod into_url;
pub mod multipart;
mod pairs;
mod parse_url;
mod request;
pub(crate) mod response;

pub use head::{FailedRequest, RequestHead};
pub use into_method::IntoMethod;
pub use into_url::IntoUrl;
pub(crate) use request::{header_pair, Parts, RequestOptions};
pub use request::{EachResponseHook, Hook, Request};
pub use response::Response;
