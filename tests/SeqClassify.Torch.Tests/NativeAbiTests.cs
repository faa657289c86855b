using SeqClassify.Torch.Interop;

namespace SeqClassify.Torch.Tests;

/// <summary>
/// Issue 30, item 2: the library publishes its enums (one list per enum in native/abi/sc_model.h), and
/// the managed side checks its own against them at load instead of keeping copies.
/// </summary>
[TestFixture]
public class NativeAbiTests
{
    [Test]
    public void EveryPublicEnumIsTheLibrarysValueForValue()
    {
        var published = NativeEnums.Published();

        Assert.That(NativeEnums.Differences(published), Is.Empty);
        Assert.That(published.Keys, Is.EquivalentTo(NativeEnums.Pairs.Select(p => p.Native)), "every native enum has its managed one");
        Assert.That(published["sc_cell"]["SC_CELL_GRU"], Is.EqualTo((int)RnnCellType.Gru));
        Assert.That(published["sc_pooling"]["SC_POOLING_CLS_POOLER"], Is.EqualTo((int)SequencePooling.ClsPooler));
    }

    // What a build of mismatched sources would show: each kind of difference is named.
    [Test]
    public void ADifferenceFromTheLibraryIsNamed()
    {
        var published = NativeEnums.Published();
        published["sc_cell"]["SC_CELL_GRU"] = 7;
        published["sc_pooling"].Remove("SC_POOLING_MEAN");
        published["sc_activation"]["SC_ACTIVATION_SILU"] = 2;

        Assert.That(NativeEnums.Differences(published), Is.EquivalentTo(new[]
        {
            "RnnCellType: SC_CELL_GRU is 7 in the library, 2 here",
            "SequencePooling: the library has no SC_POOLING_MEAN",
            "TransformerActivation: no member for the library's SC_ACTIVATION_SILU",
        }));
    }

    [Test]
    public void TheConfigCarriesTheLibrarysVersion()
    {
        NativeMethods.sc_model_abi(out _, out _, out _, out _, out int version);

        Assert.That(NativeAbi.Version, Is.EqualTo((uint)version));
    }
}
