# Production image: serve, worker, migrate, setup. Built with -tags nodev, so
# the Temporal server and Web UI code of `kycflow dev` are not in it.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -tags nodev -trimpath -ldflags="-s -w" -o /out/kycflow ./cmd/kycflow

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kycflow /usr/local/bin/kycflow
USER nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/kycflow"]
CMD ["serve"]
