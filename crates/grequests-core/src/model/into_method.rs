//! [`IntoMethod`]: a method as `http::Method` or by name, as requests takes it.

use http::Method;

use crate::{Cause, Error, Result};

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
            Error::invalid(crate::Input::Method, Cause::source(e))
                .with_context(format!("invalid method {self:?}"))
        })
    }
}

impl IntoMethod for String {
    fn into_method(self) -> Result<Method> {
        self.as_str().into_method()
    }
}
