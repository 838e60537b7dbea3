//! The `Transport` contract, one suite run against every backend: the hyper transport, the
//! tower transport over it, the mock, and a `transport_fn` closure. Each backend answers
//! the same scenarios; each rule of the contract is a function in `contract`, and each
//! backend gets a test per rule.

#![allow(clippy::unwrap_used)]

mod backends;
mod contract;

macro_rules! conformance {
    ($($backend:ident),*) => {$(
        mod $backend {
            use crate::{backends, contract};

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn answers() {
                contract::answers(backends::$backend().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn honours_the_read_timeout() {
                contract::honours_the_read_timeout(backends::$backend().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn times_out_between_body_chunks() {
                contract::times_out_between_body_chunks(backends::$backend().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn classifies_refused_and_unresolved() {
                contract::classifies_refused_and_unresolved(backends::$backend().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_reset_is_a_request_error() {
                contract::a_reset_is_a_request_error(backends::$backend().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn bodies_are_bounded() {
                contract::bodies_are_bounded(backends::$backend().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn dropping_a_request_cancels_it() {
                contract::dropping_a_request_cancels_it(backends::$backend().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn odd_input_is_an_answer_not_a_panic() {
                contract::odd_input_is_an_answer_not_a_panic(backends::$backend().await).await;
            }
        }
    )*};
}

conformance!(hyper, tower, mock, closure);
