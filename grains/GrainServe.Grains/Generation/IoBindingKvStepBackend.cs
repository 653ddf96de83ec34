using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GrainServe.Generation;

/// <summary>
/// Runs each step through one <see cref="OrtIoBinding"/> over buffers the backend owns: ids, mask, positions, the
/// padded past, present and logits are allocated once per capacity through an <see cref="OrtAllocator"/> (doubling
/// when a step needs more) and bound in place, so the runtime writes present and logits straight into them and a
/// step allocates only the small <see cref="OrtValue"/> views that give each buffer the step's shape.
/// </summary>
/// <remarks>
/// <para>
/// On the CPU provider every buffer is host memory (the default CPU allocator) and a step copies what the host
/// backend does: each row's whole past into the padded past (O(rows × P) per layer), then each row's new vectors
/// back from present (O(rows × N)). What it saves is managed work around the run (the per-step input and output
/// lists, pooled-array wrappers and name marshalling of <c>InferenceSession.Run</c>), not copying.
/// </para>
/// <para>
/// Under the CUDA provider (a <c>cudaDeviceId</c> whose session has a CUDA allocator) the past and present tensors
/// the session reads and writes are device memory from the session's CUDA allocator; ids, mask, positions and
/// logits stay on the host and the runtime copies them across itself. Each sequence's cache still lives in host
/// memory (<see cref="SequenceKvCache{T}"/>), so a step stages the padded past on the host as above, copies it
/// host to device (<see cref="OrtEnv.CopyTensors"/>, rows × P per layer), and after the run copies present device
/// to host (rows × (P + N) per layer) to take each row's new vectors. That keeps the session's own KV traffic on
/// the device but not the cache between steps: a per-sequence device store appended in place would remove both
/// copies and is the next step. <see cref="OrtEnv.CopyTensors"/> copies through the data transfers registered with
/// the environment; whether the CUDA provider appended the classic way registers one is the first thing to check on
/// a GPU. This path compiles against the CPU package and has not been run on a GPU.
/// </para>
/// </remarks>
internal sealed class IoBindingKvStepBackend<TKv, TLogits> : IKvStepBackend
    where TKv : unmanaged
    where TLogits : unmanaged
{
    private const string CudaAllocatorName = "Cuda";

    private readonly InferenceSession _session;
    private readonly DecoderLayout _layout;
    private readonly PaddedKvCopier<TKv> _copier;
    private readonly RunOptions _runOptions = new();
    private readonly OrtIoBinding _binding;
    private readonly SequenceKvCaches<TKv> _caches;
    private readonly string[] _pastNames;
    private readonly string[] _presentNames;
    private readonly OrtMemoryInfo? _deviceInfo;
    private readonly OrtAllocator? _deviceAllocator;
    private readonly NativeBuffer _ids;
    private readonly NativeBuffer _mask;
    private readonly NativeBuffer? _positions;
    private readonly NativeBuffer _logits;
    private readonly KvBuffer[] _past;
    private readonly KvBuffer[] _present;
    private readonly List<OrtValue> _views = [];
    private readonly List<OrtValue> _pastHost = [];
    private readonly List<OrtValue> _pastDevice = [];
    private readonly List<OrtValue> _presentDevice = [];
    private readonly List<OrtValue> _presentHost = [];

    /// <param name="session">The decoder's session.</param>
    /// <param name="layout">Its layout.</param>
    /// <param name="cudaDeviceId">The CUDA device the session runs on, or null for the CPU provider. When the session turns out to have no CUDA allocator (it fell back to the CPU provider), the KV buffers are host memory.</param>
    public IoBindingKvStepBackend(InferenceSession session, DecoderLayout layout, int? cudaDeviceId)
    {
        _session = session;
        _layout = layout;
        _copier = new PaddedKvCopier<TKv>(layout);
        _caches = new SequenceKvCaches<TKv>(layout);
        _pastNames = _copier.PastNames;
        _presentNames = _copier.PresentNames;
        if (cudaDeviceId is { } device)
        {
            (_deviceInfo, _deviceAllocator) = DeviceAllocator(session, device);
        }

        var host = OrtAllocator.DefaultInstance;
        var kvType = typeof(TKv) == typeof(Float16) ? TensorElementType.Float16 : TensorElementType.Float;
        var logitsType = typeof(TLogits) == typeof(Float16) ? TensorElementType.Float16 : TensorElementType.Float;
        _ids = new NativeBuffer(host, layout.InputIdsType);
        _mask = new NativeBuffer(host, layout.AttentionMaskType);
        _positions = layout.PositionIds is null ? null : new NativeBuffer(host, layout.PositionIdsType);
        _logits = new NativeBuffer(host, logitsType);
        _past = _pastNames.Select(_ => new KvBuffer(host, _deviceAllocator, kvType)).ToArray();
        _present = _presentNames.Select(_ => new KvBuffer(host, _deviceAllocator, kvType)).ToArray();
        _binding = session.CreateIoBinding();
    }

    /// <summary>Whether the KV tensors the session reads and writes are device memory.</summary>
    public bool KvOnDevice => _deviceAllocator is not null;

    public int Held(long sequenceId) => _caches.Held(sequenceId);

    public int KvBlockSize
    {
        get => _caches.BlockSize;
        set => _caches.BlockSize = value;
    }

    public long KvBytesHeld => _caches.BytesHeld;

    public void Release(long sequenceId) => _caches.Release(sequenceId);

    // Each sequence's cache is host memory here too (staged into the bound past each step), so a fork is the same
    // block copy as the host backend's.
    public bool TryFork(long sourceId, long targetId, int tokens) => _caches.TryFork(sourceId, targetId, tokens);

    public void Run(IReadOnlyList<StepEntry> entries, StepPlan plan, Span<float> logits, Span<float> hidden)
    {
        int rows = plan.Rows, pastLength = plan.PastLength, newLength = plan.NewLength, total = plan.TotalLength;
        var vocabulary = _layout.VocabularySize;
        _ids.Prepare(rows * newLength, clear: true);
        _mask.Prepare(rows * total, clear: true);
        _positions?.Prepare(rows * newLength, clear: true);
        for (var b = 0; b < rows; b++)
        {
            var tokens = entries[b].Tokens.Span;
            for (var j = 0; j < tokens.Length; j++)
            {
                _ids.Set((b * newLength) + j, tokens[j]);
                _positions?.Set((b * newLength) + j, entries[b].Start + j);
            }

            for (var t = plan.PastOffset(b); t < plan.MaskEnd(b); t++)
            {
                _mask.Set((b * total) + t, 1);
            }
        }

        for (var tensor = 0; tensor < _past.Length; tensor++)
        {
            _copier.GatherPast(_past[tensor].Prepare(_copier.Elements(rows, pastLength)), tensor, entries, plan, _caches.ById);
        }

        foreach (var buffer in _present)
        {
            buffer.Prepare(_copier.Elements(rows, total));
        }

        _logits.Prepare(rows * newLength * vocabulary, clear: false);
        var pastShape = _copier.Shape(rows, pastLength);
        var presentShape = _copier.Shape(rows, total);
        _binding.ClearBoundInputs();
        _binding.ClearBoundOutputs();
        try
        {
            _binding.BindInput(_layout.InputIds, View(_ids, [rows, newLength]));
            _binding.BindInput(_layout.AttentionMask, View(_mask, [rows, total]));
            if (_positions is not null)
            {
                _binding.BindInput(_layout.PositionIds!, View(_positions, [rows, newLength]));
            }

            for (var tensor = 0; tensor < _past.Length; tensor++)
            {
                var past = _past[tensor];
                var bound = View(past.Bound, pastShape);
                _binding.BindInput(_pastNames[tensor], bound);
                if (past.Device is not null)
                {
                    _pastHost.Add(View(past.Host, pastShape));
                    _pastDevice.Add(bound);
                }
            }

            _binding.BindOutput(_layout.Logits, View(_logits, [rows, newLength, vocabulary]));
            for (var tensor = 0; tensor < _present.Length; tensor++)
            {
                var present = _present[tensor];
                var bound = View(present.Bound, presentShape);
                _binding.BindOutput(_presentNames[tensor], bound);
                if (present.Device is not null)
                {
                    _presentDevice.Add(bound);
                    _presentHost.Add(View(present.Host, presentShape));
                }
            }

            Copy(_pastHost, _pastDevice);
            _session.RunWithBinding(_runOptions, _binding);
            Copy(_presentDevice, _presentHost);
        }
        finally
        {
            _binding.ClearBoundInputs();
            _binding.ClearBoundOutputs();
            foreach (var view in _views)
            {
                view.Dispose();
            }

            _views.Clear();
            _pastHost.Clear();
            _pastDevice.Clear();
            _presentDevice.Clear();
            _presentHost.Clear();
        }

        // Only a successful run touches the caches, so a failed step leaves every sequence as it was.
        _caches.Append(entries, plan, _copier, tensor => _present[tensor].Host.AsSpan<TKv>());
        SequenceKvCaches<TKv>.WriteLastLogits<TLogits>(entries, plan, _logits.AsSpan<TLogits>(), vocabulary, logits);
    }

    public void Dispose()
    {
        _caches.Dispose();
        foreach (var buffer in _past.Concat(_present))
        {
            buffer.Dispose();
        }

        _ids.Dispose();
        _mask.Dispose();
        _positions?.Dispose();
        _logits.Dispose();
        _binding.Dispose();
        _deviceAllocator?.Dispose();
        _deviceInfo?.Dispose();
        _runOptions.Dispose();
    }

    private static (OrtMemoryInfo? Info, OrtAllocator? Allocator) DeviceAllocator(InferenceSession session, int device)
    {
        var info = new OrtMemoryInfo(CudaAllocatorName, OrtAllocatorType.DeviceAllocator, device, OrtMemType.Default);
        try
        {
            return (info, new OrtAllocator(session, info));
        }
        catch (OnnxRuntimeException)
        {
            // The session has no CUDA allocator: CUDA was asked for but the session fell back to the CPU provider.
            info.Dispose();
            return (null, null);
        }
    }

    private OrtValue View(NativeBuffer buffer, long[] shape)
    {
        var view = buffer.View(shape);
        _views.Add(view);
        return view;
    }

    /// <summary>Copies host to device or back (under CUDA only: on the CPU provider the lists stay empty).</summary>
    private static void Copy(List<OrtValue> from, List<OrtValue> to)
    {
        if (from.Count > 0)
        {
            OrtEnv.Instance().CopyTensors(from, to, null);
        }
    }

    /// <summary>
    /// A KV tensor's memory: host memory the copier fills or reads, and under CUDA the device buffer the session
    /// binds (<see cref="Bound"/>), of the same size.
    /// </summary>
    private sealed class KvBuffer(OrtAllocator host, OrtAllocator? device, TensorElementType type) : IDisposable
    {
        public NativeBuffer Host { get; } = new(host, type);

        public NativeBuffer? Device { get; } = device is null ? null : new(device, type);

        public NativeBuffer Bound => Device ?? Host;

        /// <summary>Sizes both sides for <paramref name="elements"/> and returns the host side, uncleared.</summary>
        public Span<TKv> Prepare(int elements)
        {
            Device?.Prepare(elements, clear: false);
            return Host.Prepare(elements, clear: false).AsSpan<TKv>();
        }

        public void Dispose()
        {
            Host.Dispose();
            Device?.Dispose();
        }
    }

    /// <summary>
    /// One tensor allocated with <see cref="OrtValue.CreateAllocatedTensorValue"/> from an <see cref="OrtAllocator"/>
    /// (host or device), reused across steps and replaced by one of at least twice the size when a step needs more
    /// (its contents are not kept: every step rewrites what it binds). Each step sees it through a view with the
    /// step's shape over its first elements.
    /// </summary>
    private sealed unsafe class NativeBuffer(OrtAllocator allocator, TensorElementType type) : IDisposable
    {
        private readonly int _elementBytes = type switch
        {
            TensorElementType.Int32 or TensorElementType.Float => 4,
            TensorElementType.Int64 => 8,
            TensorElementType.Float16 => 2,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "int32, int64, float or float16 expected"),
        };

        private OrtValue? _storage;
        private IntPtr _data;
        private long _capacity;

        /// <summary>Elements the current step uses.</summary>
        public int Length { get; private set; }

        public NativeBuffer Prepare(int elements, bool clear)
        {
            if (_storage is null || elements > _capacity)
            {
                var capacity = Math.Max(Math.Max(elements, 1), _capacity * 2);
                var storage = OrtValue.CreateAllocatedTensorValue(allocator, type, [capacity]);
                _storage?.Dispose();
                _storage = storage;
                _capacity = capacity;

                // Only the address is taken: under CUDA it is device memory and never read from here.
                _data = (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetReference(storage.GetTensorMutableRawData()));
            }

            Length = elements;
            if (clear)
            {
                new Span<byte>((void*)_data, elements * _elementBytes).Clear();
            }

            return this;
        }

        /// <summary>The current step's elements; host memory only.</summary>
        public Span<T> AsSpan<T>()
            where T : unmanaged => new((void*)_data, Length);

        /// <summary>Writes an integer input element (int32 or int64); host memory only.</summary>
        public void Set(int index, long value)
        {
            if (type == TensorElementType.Int32)
            {
                AsSpan<int>()[index] = (int)value;
            }
            else
            {
                AsSpan<long>()[index] = value;
            }
        }

        /// <summary>A tensor with <paramref name="shape"/> over the first elements of the storage; the caller disposes it before the next <see cref="Prepare"/>.</summary>
        public OrtValue View(long[] shape)
        {
            long elements = 1;
            foreach (var dimension in shape)
            {
                elements *= dimension;
            }

            return OrtValue.CreateTensorValueWithData(allocator.Info, type, shape, _data, elements * _elementBytes);
        }

        public void Dispose() => _storage?.Dispose();
    }
}
