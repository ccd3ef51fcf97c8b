//! The HTTP server: hyper's connection handling with the timeouts `axum::serve` leaves unset.
//! Without them a client that trickles its headers, or opens connections and sends nothing,
//! holds a connection (and its memory) for ever (issue 21). Each request also carries the
//! connection's peer address, from which the client's address is taken (see `crate::client`).

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long a client may take, measured from the connection's start or its previous response,
/// to send a request's headers; after that the connection is closed.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionTimeouts {
    pub headers: Duration,
}

/// Serves `app` on `listener` until `shutdown` completes, then lets the requests in flight
/// finish (at most 30 seconds).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    timeouts: ConnectionTimeouts,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    // HTTP/1.1 only: browsers speak HTTP/2 only over TLS, which the proxy in front ends. (hyper's
    // version sniffing for HTTP/2 would also wait for a first byte with no timeout at all.)
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.headers);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = app
            .clone()
            .map_request(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                req.map(axum::body::Body::new)
            });
        let conn =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(30)) => {
            tracing::warn!("requests still in flight after 30 seconds; stopping anyway");
        }
    }
    Ok(())
}
