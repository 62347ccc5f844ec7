{{/*
Names. The release's full name prefixes every object; a component's objects are
<fullname>-<component> (e.g. storage-rental-booking).
*/}}
{{- define "storage-rental.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "storage-rental.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* <fullname>-<component>. Call with (dict "root" $ "component" "booking"). */}}
{{- define "storage-rental.componentName" -}}
{{- printf "%s-%s" (include "storage-rental.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "storage-rental.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels of one component: stable for the life of a release (a Deployment's selector is
immutable). The NetworkPolicies, Services, PDBs and HPAs all select pods with exactly these.
Call with (dict "root" $ "component" "booking").
*/}}
{{- define "storage-rental.selectorLabels" -}}
app.kubernetes.io/name: {{ include "storage-rental.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* All labels of one component's objects. Call with (dict "root" $ "component" "booking"). */}}
{{- define "storage-rental.labels" -}}
helm.sh/chart: {{ include "storage-rental.chart" .root }}
{{ include "storage-rental.selectorLabels" . }}
app.kubernetes.io/part-of: storage-rental
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{/* Labels of release-wide objects (ServiceAccount, Secret). */}}
{{- define "storage-rental.commonLabels" -}}
helm.sh/chart: {{ include "storage-rental.chart" . }}
app.kubernetes.io/name: {{ include "storage-rental.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: storage-rental
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "storage-rental.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "storage-rental.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret the pods read: the chart's own, or secrets.existingSecret. */}}
{{- define "storage-rental.secretName" -}}
{{- default (include "storage-rental.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* Image of one service. Call with (dict "root" $ "component" "booking"). */}}
{{- define "storage-rental.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.repository .component (default .root.Chart.AppVersion .root.Values.image.tag) }}
{{- end }}

{{/* The names of the services that own a database (and so use Postgres and Kafka), as a list. */}}
{{- define "storage-rental.dataApps" -}}
{{- $names := list }}
{{- range $name, $app := .Values.apps }}
{{- if $app.database }}
{{- $names = append $names $name }}
{{- end }}
{{- end }}
{{- toJson $names }}
{{- end }}

{{/* ---- infrastructure endpoints ---------------------------------------------------------- */}}

{{- define "storage-rental.kafkaBrokers" -}}
{{- if .Values.kafka.internal.enabled }}
{{- printf "%s:9092" (include "storage-rental.componentName" (dict "root" . "component" "kafka")) }}
{{- else }}
{{- required "kafka.brokers is required when kafka.internal.enabled is false" .Values.kafka.brokers }}
{{- end }}
{{- end }}

{{- define "storage-rental.databaseHost" -}}
{{- if .Values.database.internal.enabled }}
{{- include "storage-rental.componentName" (dict "root" . "component" "postgresql") }}
{{- else }}
{{- required "database.host is required when database.internal.enabled is false" .Values.database.host }}
{{- end }}
{{- end }}

{{/* "true" when the services get a PGPASSWORD from the Secret. */}}
{{- define "storage-rental.hasDatabasePassword" -}}
{{- if or .Values.secrets.existingSecret .Values.database.internal.enabled .Values.database.password }}true{{ end }}
{{- end }}

{{/*
An environment value as a string. Helm reads numbers from values files as float64, which print
as 5e+06; whole numbers are printed as integers instead.
*/}}
{{- define "storage-rental.envValue" -}}
{{- if kindIs "float64" . }}
{{- if eq . (floor .) }}{{ printf "%d" (int64 .) }}{{ else }}{{ toString . }}{{ end }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}

{{/*
The ConfigMap data (environment) of one service, as YAML. Precedence: what the chart wires
(ports, URLs, brokers) over apps.<name>.env over the shared config. Secrets are refused here: they
belong in the Secret. Call with (dict "root" $ "name" "booking" "app" .Values.apps.booking).
*/}}
{{- define "storage-rental.configData" -}}
{{- $root := .root }}
{{- $app := .app }}
{{- $wired := dict "PORT" (toString $app.port) "HOST" "0.0.0.0" }}
{{- if $app.database }}
{{- $_ := set $wired "DATABASE_URL" (printf "postgres://%s@%s:%s/%s" $root.Values.database.user (include "storage-rental.databaseHost" $root) (include "storage-rental.envValue" $root.Values.database.port) $app.database) }}
{{- $_ := set $wired "KAFKA_BROKERS" (include "storage-rental.kafkaBrokers" $root) }}
{{- end }}
{{- range $upstream := $app.upstreams }}
{{- $target := index $root.Values.apps $upstream | default dict }}
{{- if not $target.port }}
{{- fail (printf "apps.%s.upstreams names %q, which is not a service in apps" $.name $upstream) }}
{{- end }}
{{- $_ := set $wired (printf "%s_URL" ($upstream | upper | replace "-" "_")) (printf "http://%s:%s" (include "storage-rental.componentName" (dict "root" $root "component" $upstream)) (toString $target.port)) }}
{{- end }}
{{- $shared := dict "LOG_LEVEL" $root.Values.config.logLevel "SHUTDOWN_TIMEOUT_MS" (include "storage-rental.envValue" $root.Values.config.shutdownTimeoutMs) }}
{{- if $app.database }}
{{- $_ := set $shared "DB_POOL_SIZE" (include "storage-rental.envValue" $root.Values.database.poolSize) }}
{{- $_ := set $shared "KAFKA_TOPIC_PARTITIONS" (include "storage-rental.envValue" $root.Values.kafka.topicPartitions) }}
{{- $_ := set $shared "KAFKA_REPLICATION_FACTOR" (include "storage-rental.envValue" $root.Values.kafka.replicationFactor) }}
{{- if $root.Values.database.sslMode }}
{{- $_ := set $shared "PGSSLMODE" $root.Values.database.sslMode }}
{{- end }}
{{- end }}
{{- if and (eq .name "gateway") $app.devIssuer $app.devIssuer.enabled }}
{{- $_ := set $wired "DEV_ISSUER_ENABLED" "true" }}
{{- end }}
{{- if eq .name "gateway" }}
{{- $_ := set $wired "METRICS_PORT" (toString $root.Values.metrics.gatewayPort) }}
{{- end }}
{{- with $root.Values.tracing }}
{{- if .otlpEndpoint }}
{{- $_ := set $wired "OTEL_EXPORTER_OTLP_ENDPOINT" .otlpEndpoint }}
{{- $_ := set $wired "OTEL_TRACES_SAMPLER" (.sampler | default "parentbased_always_on") }}
{{- $_ := set $wired "OTEL_TRACES_SAMPLER_ARG" (.samplerArg | default "1" | toString) }}
{{- end }}
{{- end }}
{{- $own := dict }}
{{- range $key, $value := $app.env | default dict }}
{{- if has $key (list "INTERNAL_AUTH_SECRET" "PGPASSWORD" "DEV_ISSUER_PRIVATE_KEY") }}
{{- fail (printf "apps.%s.env.%s is a secret: set it through the Secret (see secrets.*), not the ConfigMap" $.name $key) }}
{{- end }}
{{- if hasKey $wired $key }}
{{- fail (printf "apps.%s.env.%s is set by the chart (ports, URLs, brokers, database and dev issuer wiring); remove it" $.name $key) }}
{{- end }}
{{- /* An empty value removes a default (the service then applies its own). */}}
{{- if ne (toString $value) "" }}
{{- $_ := set $own $key (include "storage-rental.envValue" $value) }}
{{- end }}
{{- end }}
{{- toYaml (merge $wired $own $shared) }}
{{- end }}

{{/*
Checksum of everything a service's pods read at start (its ConfigMap data and the Secret inputs),
as a pod annotation: a change rolls that service's pods, and only those. Generated secrets are not
part of it: they are created once and then kept (see secret.yaml).
*/}}
{{- define "storage-rental.configChecksum" -}}
{{- $secretInputs := dict "existing" .root.Values.secrets.existingSecret "internal" .root.Values.secrets.internalAuthSecret "db" .root.Values.database.password }}
{{- if eq .name "gateway" }}
{{- $_ := set $secretInputs "devKey" (.app.devIssuer | default dict).privateKey }}
{{- end }}
{{- printf "%s\n%s" (include "storage-rental.configData" .) (toJson $secretInputs) | sha256sum }}
{{- end }}

{{/*
The value of one key of the chart's Secret: the configured value, else the value the live Secret
already holds (so generated secrets survive upgrades), else a freshly generated one.
Call with (dict "root" $ "key" "internal-auth-secret" "value" "..." "generate" "...").
*/}}
{{- define "storage-rental.secretValue" -}}
{{- $live := lookup "v1" "Secret" .root.Release.Namespace (include "storage-rental.fullname" .root) | default dict }}
{{- $liveData := $live.data | default dict }}
{{- if .value }}
{{- .value | b64enc }}
{{- else if hasKey $liveData .key }}
{{- index $liveData .key }}
{{- else }}
{{- .generate | b64enc }}
{{- end }}
{{- end }}

{{/*
Where Prometheus scrapes a service: the gateway on its metrics port (its HTTP port is the public
API), every other service on its HTTP port. Call with (dict "root" $ "name" $name "app" $app).
*/}}
{{- define "storage-rental.metricsPortName" -}}
{{- if eq .name "gateway" }}metrics{{ else }}http{{ end }}
{{- end }}

{{- define "storage-rental.metricsPort" -}}
{{- if eq .name "gateway" }}{{ .root.Values.metrics.gatewayPort }}{{ else }}{{ .app.port }}{{ end }}
{{- end }}
