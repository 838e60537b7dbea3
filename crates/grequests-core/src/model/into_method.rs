//! [`IntoMethod`]: a method as `http::Method` or by name, as requests takes it.

use http::Method;

use crate::error::{Cause, Error, Result};

/// Something that names an HTTP method: an [`http::Method`], or its name in any case, as
/// `grequests.request('post', url)` takes it. A name that is not a valid method token is a
/// [builder error](Error::is_builder).
///
/// ```
/// use grequests_core::IntoMethod;
/// assert_eq!("post".into_method().unwrap(), http::Method::POST);
/// assert_eq!("PROPFIND".into_method().unwrap().as_str(), "PROPFIND");
/// assert!("not a method".into_method().unwrap_err().is_builder());
/// ```
pub trait IntoMethod {
    /// The method, or why the name is not one.
    fn into_method(self) -> Result<Method>;
}

/// Whether a request with this method may be sent again without changing what it does
/// (RFC 9110 §9.2.2): GET, HEAD, OPTIONS, TRACE, PUT and DELETE. The client's stale-connection
/// retry and the tower backend's retries ask it.
///
/// ```
/// use grequests_core::{http::Method, is_idempotent};
/// assert!(is_idempotent(&Method::PUT));
/// assert!(!is_idempotent(&Method::POST));
/// ```
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE
    )
}

impl IntoMethod for Method {
    fn into_method(self) -> Result<Method> {
        Ok(self)
    }
}

impl IntoMethod for &Method {
    fn into_method(self) -> Result<Method> {
        Ok(self.clone())
    }
}

impl IntoMethod for &str {
    fn into_method(self) -> Result<Method> {
        Method::from_bytes(self.to_ascii_uppercase().as_bytes()).map_err(|e| {
            Error::builder(Cause::source(e)).with_context(format!("invalid method {self:?}"))
        })
    }
}

impl IntoMethod for String {
    fn into_method(self) -> Result<Method> {
        self.as_str().into_method()
    }
}
