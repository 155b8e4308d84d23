{{/* Chart name, shortened to the 63 characters a label value allows. */}}
{{- define "contractor-portal.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every resource name: the release name, plus the chart name unless the release name contains it. */}}
{{- define "contractor-portal.fullname" -}}
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

{{/* Labels on every resource. */}}
{{- define "contractor-portal.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "contractor-portal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels of one component. Takes a dict with "root" (the chart
context) and "component" (portal, console, worker or migration).
*/}}
{{- define "contractor-portal.selectorLabels" -}}
app.kubernetes.io/name: {{ include "contractor-portal.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Image reference: a digest wins over a tag, and the tag defaults to the chart's appVersion. */}}
{{- define "contractor-portal.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "contractor-portal.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "contractor-portal.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Name of the Secret the apps read: the operator's own, or the one this chart creates. */}}
{{- define "contractor-portal.secretName" -}}
{{- default (printf "%s-env" (include "contractor-portal.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{/*
Environment of the long-running apps: the ConfigMap, the storage settings
and only the secret keys the apps read. The migrating user's URL stays
with the migration Job.
*/}}
{{- define "contractor-portal.appEnv" -}}
envFrom:
  - configMapRef:
      name: {{ include "contractor-portal.fullname" . }}-config
env:
  {{- /* The apps connect only with APP_DATABASE_URL, but production configuration requires DATABASE_URL, so it gets the same value. */}}
  - name: DATABASE_URL
    valueFrom:
      secretKeyRef:
        name: {{ include "contractor-portal.secretName" . }}
        key: APP_DATABASE_URL
  {{- range $name := list "APP_DATABASE_URL" "REDIS_URL" "SESSION_SECRET" "SMTP_URL" "WEBHOOK_SECRET_KEY" }}
  - name: {{ $name }}
    valueFrom:
      secretKeyRef:
        name: {{ include "contractor-portal.secretName" $ }}
        key: {{ $name }}
  {{- end }}
  {{- /* Without the S3 keys the AWS SDK's default credential chain, such as a workload identity, applies. */}}
  {{- $optional := list }}
  {{- if eq .Values.storage.driver "s3" }}
  {{- $optional = concat $optional (list "S3_ACCESS_KEY_ID" "S3_SECRET_ACCESS_KEY") }}
  {{- end }}
  {{- range $name := $optional }}
  - name: {{ $name }}
    valueFrom:
      secretKeyRef:
        name: {{ include "contractor-portal.secretName" $ }}
        key: {{ $name }}
        optional: true
  {{- end }}
{{- end }}

{{/* Pod-level security settings shared by every pod of the chart. */}}
{{- define "contractor-portal.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .Values.securityContext.runAsUser }}
  runAsGroup: {{ .Values.securityContext.runAsGroup }}
  fsGroup: {{ .Values.securityContext.runAsGroup }}
  seccompProfile:
    type: RuntimeDefault
{{- end }}

{{/* Container-level security settings shared by every container of the chart. */}}
{{- define "contractor-portal.containerSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .Values.securityContext.runAsUser }}
  runAsGroup: {{ .Values.securityContext.runAsGroup }}
  allowPrivilegeEscalation: false
  privileged: false
  readOnlyRootFilesystem: true
  capabilities:
    drop:
      - ALL
  seccompProfile:
    type: RuntimeDefault
{{- end }}

{{/*
Volume mounts of the writable folders. The root filesystem is read-only,
so /tmp and the document folder of the local storage driver are volumes.
*/}}
{{- define "contractor-portal.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if eq .Values.storage.driver "local" }}
- name: storage
  mountPath: {{ .Values.storage.local.mountPath }}
{{- end }}
{{- end }}

{{- define "contractor-portal.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpVolume.sizeLimit }}
{{- if eq .Values.storage.driver "local" }}
- name: storage
  persistentVolumeClaim:
    claimName: {{ required "storage.local.existingClaim is required when storage.driver is local" .Values.storage.local.existingClaim }}
{{- end }}
{{- end }}

{{/*
Pod annotations that change when the configuration changes, so an upgrade
that only edits values restarts the pods.
*/}}
{{- define "contractor-portal.configChecksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if not .Values.secrets.existingSecret }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end }}
