package io.pipelinesecrets.testing.gcp;

import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.AccessSecretVersionResponse;
import com.google.cloud.secretmanager.v1.AddSecretVersionRequest;
import com.google.cloud.secretmanager.v1.CreateSecretRequest;
import com.google.cloud.secretmanager.v1.DeleteSecretRequest;
import com.google.cloud.secretmanager.v1.GetSecretRequest;
import com.google.cloud.secretmanager.v1.ListSecretsRequest;
import com.google.cloud.secretmanager.v1.ListSecretsResponse;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceGrpc;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.cloud.secretmanager.v1.SecretVersion;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Secret Manager calls a secrets-lifecycle backend makes, on the generated service base class. Every call is
 * counted, then checked against the scripted faults, then applied to the state; what it refuses it refuses with the
 * status Google uses (ALREADY_EXISTS, NOT_FOUND, INVALID_ARGUMENT, PERMISSION_DENIED, ...). The other methods of the
 * service answer UNIMPLEMENTED, as the base class does.
 */
final class SecretManagerService extends SecretManagerServiceGrpc.SecretManagerServiceImplBase {

    private static final int DEFAULT_PAGE_SIZE = 25;
    private static final int MAX_PAGE_SIZE = 25_000;

    private final SecretManagerState state;
    private final GoogleFaults faults;
    private final Quotas quotas;

    SecretManagerService(SecretManagerState state, GoogleFaults faults, Quotas quotas) {
        this.state = state;
        this.faults = faults;
        this.quotas = quotas;
    }

    @Override
    public void createSecret(CreateSecretRequest request, StreamObserver<Secret> answer) {
        call("CreateSecret", request.getParent(), answer,
                () -> state.create(request.getParent(), request.getSecretId(), request.getSecret()));
    }

    @Override
    public void addSecretVersion(AddSecretVersionRequest request, StreamObserver<SecretVersion> answer) {
        call("AddSecretVersion", request.getParent(), answer, () -> {
            SecretPayload payload = request.getPayload();
            Optional<Long> crc = payload.hasDataCrc32C() ? Optional.of(payload.getDataCrc32C()) : Optional.empty();
            int version = state.addVersion(request.getParent(), payload.getData(), crc);
            return SecretVersion.newBuilder().setName(request.getParent() + "/versions/" + version)
                    .setState(SecretVersion.State.ENABLED).build();
        });
    }

    @Override
    public void getSecret(GetSecretRequest request, StreamObserver<Secret> answer) {
        call("GetSecret", request.getName(), answer, () -> state.existing(request.getName()).secret());
    }

    @Override
    public void accessSecretVersion(AccessSecretVersionRequest request, StreamObserver<AccessSecretVersionResponse> answer) {
        call("AccessSecretVersion", request.getName(), answer, () -> {
            String name = request.getName();
            int cut = name.lastIndexOf("/versions/");
            if (cut < 0) {
                throw Status.INVALID_ARGUMENT.withDescription("not a secret version name").asRuntimeException();
            }
            SecretManagerState.Held held = state.existing(name.substring(0, cut));
            String wanted = name.substring(cut + "/versions/".length());
            int number = wanted.equals("latest") ? held.versions().size() : parseVersion(wanted);
            if (number < 1 || number > held.versions().size()) {
                throw Status.NOT_FOUND.withDescription("Secret version [" + name + "] not found.").asRuntimeException();
            }
            ByteString data = held.versions().get(number - 1);
            return AccessSecretVersionResponse.newBuilder()
                    .setName(name.substring(0, cut) + "/versions/" + number)
                    .setPayload(SecretPayload.newBuilder().setData(data).setDataCrc32C(SecretManagerState.crc32cOf(data)))
                    .build();
        });
    }

    @Override
    public void deleteSecret(DeleteSecretRequest request, StreamObserver<Empty> answer) {
        call("DeleteSecret", request.getName(), answer, () -> {
            state.delete(request.getName(), request.getEtag());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void listSecrets(ListSecretsRequest request, StreamObserver<ListSecretsResponse> answer) {
        call("ListSecrets", request.getParent(), answer, () -> {
            Map<String, String> wanted = LabelFilter.parse(request.getFilter());
            List<Secret> matching = state.list(request.getParent()).stream()
                    .filter(secret -> wanted.entrySet().stream()
                            .allMatch(e -> e.getValue().equals(secret.getLabelsMap().get(e.getKey()))))
                    .toList();
            int size = request.getPageSize() <= 0 ? DEFAULT_PAGE_SIZE : Math.min(request.getPageSize(), MAX_PAGE_SIZE);
            int from = request.getPageToken().isEmpty() ? 0 : parsePageToken(request.getPageToken());
            int to = Math.min(from + size, matching.size());
            ListSecretsResponse.Builder page = ListSecretsResponse.newBuilder()
                    .addAllSecrets(matching.subList(Math.min(from, to), to)).setTotalSize(matching.size());
            if (to < matching.size()) {
                page.setNextPageToken(Integer.toString(to));
            }
            return page.build();
        });
    }

    private <T> void call(String method, String resource, StreamObserver<T> answer, Supplier<T> work) {
        state.counted(method);
        Optional<Status> fault = faults.before(method, projectOf(resource))
                .or(() -> quotas.admit(method, projectOf(resource)));
        if (fault.isPresent()) {
            state.answered(method, fault.get().getCode());
            answer.onError(fault.get().asRuntimeException());
            return;
        }
        T result;
        try {
            result = work.get();
        } catch (StatusRuntimeException refused) {
            state.answered(method, refused.getStatus().getCode());
            answer.onError(refused);
            return;
        }
        if (faults.loseAnswer(method)) {
            // Applied, but the caller hears UNAVAILABLE, as when a connection drops after Google committed the call.
            state.answered(method, Status.Code.UNAVAILABLE);
            answer.onError(Status.UNAVAILABLE.withDescription("scripted: answer to " + method + " lost").asRuntimeException());
            return;
        }
        answer.onNext(result);
        answer.onCompleted();
    }

    private static String projectOf(String resource) {
        if (resource == null || !resource.startsWith("projects/")) {
            return null;
        }
        int end = resource.indexOf('/', "projects/".length());
        return end < 0 ? resource.substring("projects/".length()) : resource.substring("projects/".length(), end);
    }

    private static int parseVersion(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw Status.INVALID_ARGUMENT.withDescription("invalid version " + text).asRuntimeException();
        }
    }

    private static int parsePageToken(String token) {
        try {
            return Integer.parseInt(token);
        } catch (NumberFormatException e) {
            throw Status.INVALID_ARGUMENT.withDescription("invalid page token").asRuntimeException();
        }
    }
}
